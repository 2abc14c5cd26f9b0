// Clocks: time(), gettimeofday(), clock_gettime() for REALTIME, MONOTONIC,
// PROCESS_CPUTIME_ID, clock_getres(), nanosleep(), clock(), and gmtime()/
// strftime() of fixed timestamps.  Only sanity checks are printed, never a
// current time.
#include <stdio.h>
#include <time.h>
#include <sys/time.h>
#include <errno.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
    time_t t = time(NULL);
    printf("time() after 2020: %s\n", t > 1577836800 ? "ok" : "BAD");
    time_t t2;
    time(&t2);
    printf("time(&t) consistent: %s\n", t2 >= t && t2 - t < 5 ? "ok" : "BAD");
    struct timeval tv;
    int r = gettimeofday(&tv, NULL);
    printf("gettimeofday: %d, usec in range %s, close to time() %s\n", r,
           tv.tv_usec >= 0 && tv.tv_usec < 1000000 ? "ok" : "BAD",
           tv.tv_sec - t >= -1 && tv.tv_sec - t < 5 ? "ok" : "BAD");
    struct timespec rt, m0, m1, cpu, res;
    printf("clock_gettime REALTIME: %d\n", clock_gettime(CLOCK_REALTIME, &rt));
    printf("realtime close to gettimeofday: %s\n", rt.tv_sec - tv.tv_sec >= -1 && rt.tv_sec - tv.tv_sec < 5 ? "ok" : "BAD");
    printf("nsec in range: %s\n", rt.tv_nsec >= 0 && rt.tv_nsec < 1000000000 ? "ok" : "BAD");
    clock_gettime(CLOCK_MONOTONIC, &m0);
    int mono_ok = 1;
    struct timespec prev = m0;
    for (int i = 0; i < 2000; i++) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (ns(now) < ns(prev)) mono_ok = 0;
        prev = now;
    }
    printf("monotonic ok: %s\n", mono_ok ? "yes" : "NO");
    struct timespec req = {0, 2000000};
    printf("nanosleep 2ms: %d\n", nanosleep(&req, NULL));
    clock_gettime(CLOCK_MONOTONIC, &m1);
    printf("monotonic advanced by >= 2ms: %s\n", ns(m1) - ns(m0) >= 2000000 ? "yes" : "NO");
    printf("monotonic advanced by < 10s: %s\n", ns(m1) - ns(m0) < 10000000000LL ? "yes" : "NO");
    printf("clock_gettime PROCESS_CPUTIME: %d\n", clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu));
    r = clock_getres(CLOCK_MONOTONIC, &res);
    printf("clock_getres MONOTONIC: %d, positive %s\n", r, ns(res) > 0 ? "yes" : "NO");
    errno = 0;
    r = clock_gettime((clockid_t)12345, &res);
    printf("clock_gettime bad clock: %d errno EINVAL %s\n", r, errno == EINVAL ? "yes" : "NO");
    clock_t c = clock();
    printf("clock() non-negative: %s\n", c >= 0 ? "yes" : "NO");
    time_t fixed[] = {0, 86399, 951782400, 1234567890, 2147483647, -1, -86400 * 365};
    for (unsigned i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        struct tm tm;
        char buf[128];
        gmtime_r(&fixed[i], &tm);
        strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %a %b %j %U %w", &tm);
        printf("gmtime(%lld) = %s yday %d\n", (long long)fixed[i], buf, tm.tm_yday);
        printf("  timegm back: %lld\n", (long long)timegm(&tm));
    }
    return 0;
}
