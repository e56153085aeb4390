/*
 * kdelta-groups: a test program with known work per thread group, for checking kdelta's
 * per-thread-group capture against the truth.
 *
 *   kdelta-groups [calls] [busy_ms] [windows] [window_ms]
 *
 * Threads `alpha0` and `alpha1` (group `alpha*`) each make `calls` getppid system calls and
 * spin for `busy_ms` of CPU time; thread `beta0` (group `beta*`) makes 2 x `calls` geteuid
 * calls, then runs `windows` windows, each between the USDT probes kdelta:window_start and
 * kdelta:window_end and `window_ms` long (busy, with WINDOW_CALLS getsid calls at its start: the
 * only getsid calls of the program, and its only syscalls inside windows), then makes one slow call: a 5 ms nanosleep
 * from the function kdelta_slow_call, among fast ones. The raw syscall() is used so libc
 * can answer none of them from a cache.
 *
 * What each thread measured itself is printed as JSON metric lines kdelta reads as workload
 * figures: workload.beta.window_calls (getsid calls in windows), workload.<group>.run_ns (on-CPU time from the thread's own schedstat, summed over
 * the group), workload.<group>.calls, workload.beta.window_ns.<k> and workload.beta.windows.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/sdt.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_WINDOWS 1000
#define WINDOW_CALLS 10

static long calls = 1000, busy_ms = 100, windows = 10, window_ms = 5;
static unsigned long long alpha_run_ns, beta_run_ns;
static long long window_ns[MAX_WINDOWS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned long long now_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* CPU time of the calling thread, spinning until `ms` of it has passed (not wall time). */
static void spin_cpu(long ms) {
  unsigned long long end = now_ns(CLOCK_THREAD_CPUTIME_ID) + (unsigned long long)ms * 1000000ull;
  volatile unsigned long x = 0;
  while (now_ns(CLOCK_THREAD_CPUTIME_ID) < end) x++;
}

static unsigned long long own_run_ns(void) {
  unsigned long long run = 0, delay = 0, slices = 0;
  /* schedstat prints sum_exec_runtime as last updated, up to a tick behind the running thread:
     a yield brings it up to date first. */
  sched_yield();
  FILE *f = fopen("/proc/thread-self/schedstat", "r");
  if (!f || fscanf(f, "%llu %llu %llu", &run, &delay, &slices) != 3) {
    fputs("kdelta-groups: cannot read /proc/thread-self/schedstat\n", stderr);
    exit(1);
  }
  fclose(f);
  return run;
}

static void *alpha(void *arg) {
  char name[16];
  snprintf(name, sizeof name, "alpha%d", (int)(long)arg);
  prctl(PR_SET_NAME, name);
  for (long i = 0; i < calls; i++) syscall(SYS_getppid);
  spin_cpu(busy_ms);
  unsigned long long run = own_run_ns();
  pthread_mutex_lock(&lock);
  alpha_run_ns += run;
  pthread_mutex_unlock(&lock);
  return NULL;
}

__attribute__((noinline)) void kdelta_slow_call(void) {
  struct timespec five_ms = {0, 5000000};
  syscall(SYS_nanosleep, &five_ms, NULL);
  __asm__ volatile("" ::: "memory"); /* keeps the frame: the stack must name this function */
}

static void *beta(void *arg) {
  (void)arg;
  prctl(PR_SET_NAME, "beta0");
  for (long i = 0; i < 2 * calls; i++) syscall(SYS_geteuid);
  for (long k = 0; k < windows; k++) {
    unsigned long long t0 = now_ns(CLOCK_MONOTONIC);
    DTRACE_PROBE(kdelta, window_start);
    for (int i = 0; i < WINDOW_CALLS; i++) syscall(SYS_getsid, 0);
    unsigned long long end = t0 + (unsigned long long)window_ms * 1000000ull;
    while (now_ns(CLOCK_MONOTONIC) < end) {}
    DTRACE_PROBE(kdelta, window_end);
    window_ns[k] = (long long)(now_ns(CLOCK_MONOTONIC) - t0);
  }
  for (int i = 0; i < 100; i++) syscall(SYS_geteuid);
  kdelta_slow_call();
  for (int i = 0; i < 100; i++) syscall(SYS_geteuid);
  beta_run_ns = own_run_ns();
  return NULL;
}

static long arg_or(int argc, char **argv, int i, long fallback, long max) {
  if (argc <= i) return fallback;
  char *end = NULL;
  long v = strtol(argv[i], &end, 10);
  if (*argv[i] == '\0' || *end != '\0' || v < 0 || v > max) {
    fprintf(stderr, "kdelta-groups: argument %d must be a whole number from 0 to %ld\n", i, max);
    exit(2);
  }
  return v;
}

static void metric(const char *name, double value, const char *unit) {
  printf("{\"metric\":\"%s\",\"value\":%.0f,\"unit\":\"%s\",\"better\":\"lower\"}\n", name, value, unit);
}

int main(int argc, char **argv) {
  calls = arg_or(argc, argv, 1, calls, 100000000);
  busy_ms = arg_or(argc, argv, 2, busy_ms, 60000);
  windows = arg_or(argc, argv, 3, windows, MAX_WINDOWS);
  window_ms = arg_or(argc, argv, 4, window_ms, 10000);
  pthread_t a0, a1, b0;
  pthread_create(&a0, NULL, alpha, (void *)0);
  pthread_create(&a1, NULL, alpha, (void *)1);
  pthread_create(&b0, NULL, beta, NULL);
  pthread_join(a0, NULL);
  pthread_join(a1, NULL);
  pthread_join(b0, NULL);
  metric("alpha.run_ns", (double)alpha_run_ns, "ns");
  metric("beta.run_ns", (double)beta_run_ns, "ns");
  metric("alpha.calls", (double)(2 * calls), "1");
  metric("beta.calls", (double)(2 * calls), "1");
  metric("beta.windows", (double)windows, "1");
  metric("beta.window_calls", (double)(windows * WINDOW_CALLS), "1");
  for (long k = 0; k < windows; k++) {
    char name[64];
    snprintf(name, sizeof name, "beta.window_ns.%ld", k);
    metric(name, (double)window_ns[k], "ns");
  }
  return 0;
}
