// cflags: -pthread
// POSIX threads: pthread_create/join with results, a mutex-protected
// counter, a condition variable hand-off, thread-local storage, gettid
// differing per thread, and a barrier.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREADS 4
#define ROUNDS 20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t barrier;
static long counter;
static int turn;
static __thread int tls_value;
static pid_t tids[THREADS];

static void *worker(void *arg) {
    int id = (int)(long)arg;
    tls_value = id * 100;
    tids[id] = (pid_t)syscall(SYS_gettid);
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    // Take turns in order through the condition variable.
    pthread_mutex_lock(&lock);
    while (turn != id) pthread_cond_wait(&cond, &lock);
    printf("thread %d: tls %d\n", id, tls_value);
    turn++;
    pthread_cond_broadcast(&cond);
    pthread_mutex_unlock(&lock);
    pthread_barrier_wait(&barrier);
    long sum = 0;
    for (int i = 0; i <= id * 1000; i++) sum += i;
    return (void *)sum;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    pthread_t t[THREADS];
    pthread_barrier_init(&barrier, NULL, THREADS);
    tls_value = -1;
    for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, (void *)(long)i);
    long total = 0;
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        total += (long)r;
    }
    int distinct = 1;
    for (int i = 0; i < THREADS; i++)
        for (int j = i + 1; j < THREADS; j++) distinct &= tids[i] != tids[j] && tids[i] != getpid();
    printf("counter %ld (expected %d), sum of results %ld, main tls still %d, distinct tids %d\n", counter,
           THREADS * ROUNDS, total, tls_value, distinct);
    return 0;
}
