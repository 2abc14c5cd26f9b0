// cflags: -pthread
// POSIX threads: pthread_create/join with results, a mutex-protected
// counter, a condition variable hand-off, thread-local storage, gettid
// differing per thread, a barrier, a timed condition wait that times out
// while another thread runs, and per-thread signal masks (an exiting thread
// blocks every signal for itself only; raise() in a thread).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <signal.h>
#include <time.h>
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

static volatile int usr1;
static void on_usr1(int sig) {
    (void)sig;
    usr1++;
}
static void *raiser(void *arg) {
    (void)arg;
    raise(SIGUSR1);
    return NULL;
}

static volatile int spinning = 1;
static void *spinner(void *arg) {
    (void)arg;
    while (spinning) sched_yield();
    return NULL;
}

/** pthread_cond_timedwait that nobody signals: ETIMEDOUT after about 20 ms, with another thread runnable. */
static void timed_wait(void) {
    pthread_t s;
    pthread_create(&s, NULL, spinner, NULL);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 20 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000) deadline.tv_sec++, deadline.tv_nsec -= 1000000000;
    pthread_mutex_lock(&lock);
    int r = pthread_cond_timedwait(&cond, &lock, &deadline);
    pthread_mutex_unlock(&lock);
    spinning = 0;
    pthread_join(s, NULL);
    printf("timed wait: %s\n", r == ETIMEDOUT ? "ETIMEDOUT" : "woken?");
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
    timed_wait();

    signal(SIGUSR1, on_usr1);
    pthread_t r;
    pthread_create(&r, NULL, raiser, NULL);
    pthread_join(r, NULL);
    raise(SIGUSR1);
    printf("SIGUSR1 handled %d times (in a thread, then in main after threads ended)\n", usr1);
    return 0;
}
