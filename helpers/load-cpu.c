/* kdelta-load's CPU loads: spinning threads, fixed work beside spinners, raw system calls. */
#include "load.h"

/* ---------- cpu-contention ---------- */

struct spin_arg {
  int index;
  uint64_t duration_ns;
  pthread_barrier_t *start;
  unsigned long long iterations;
};

static void *spin_thread(void *p) {
  struct spin_arg *a = p;
  char name[16];
  snprintf(name, sizeof name, "spin%d", a->index);
  set_thread_name(name);
  pthread_barrier_wait(a->start);
  uint64_t end = now_ns() + a->duration_ns;
  volatile uint64_t x = (uint64_t)a->index + 1;
  unsigned long long it = 0;
  /* Pure user-space work between clock reads (vDSO, no syscall), so the only kernel
     events are timer ticks and preemptions: the run-queue delay is the contention. */
  do {
    for (int k = 0; k < 1024; k++) x = x * 6364136223846793005ull + 1442695040888963407ull;
    it++;
  } while (now_ns() < end);
  a->iterations = it;
  record_thread_stat();
  return NULL;
}

void run_cpu_contention(struct opts *o) {
  if (!o->threads) usage("cpu-contention needs --threads N");
  if (!o->duration_ms) usage("cpu-contention needs --duration-ms D");
  int n = (int)o->threads;
  pthread_t *t = calloc((size_t)n, sizeof *t);
  struct spin_arg *args = calloc((size_t)n, sizeof *args);
  pthread_barrier_t start;
  if (!t || !args) die("out of memory");
  pthread_barrier_init(&start, NULL, (unsigned)n + 1);
  for (int i = 0; i < n; i++) {
    args[i] = (struct spin_arg){i, (uint64_t)o->duration_ms * 1000000ull, &start, 0};
    start_thread(&t[i], spin_thread, &args[i]);
  }
  pthread_barrier_wait(&start);
  uint64_t t0 = now_ns();
  unsigned long long total = 0;
  for (int i = 0; i < n; i++) {
    pthread_join(t[i], NULL);
    total += args[i].iterations;
  }
  double secs = (double)(now_ns() - t0) / 1e9;
  print_metric("ops_per_sec", (double)total / secs, "1/s", "higher");
  print_load_line("cpu-contention", total);
}

/* ---------- cpu-work ---------- */

/* A fixed amount of work (not a fixed time), so a slower machine or a competing thread shows
   as a longer wall time; S spinners compete with it until it is done. */
static volatile int work_done;

static void *busy_thread(void *p) {
  char name[16];
  snprintf(name, sizeof name, "busy%d", *(int *)p);
  set_thread_name(name);
  volatile uint64_t x = 7;
  while (!work_done) for (int k = 0; k < 1024; k++) x = x * 6364136223846793005ull + 1442695040888963407ull;
  record_thread_stat();
  return NULL;
}

void run_cpu_work(struct opts *o) {
  if (!o->count) usage("cpu-work needs --count N");
  int n = (int)o->threads;
  pthread_t *t = calloc((size_t)(n > 0 ? n : 1), sizeof *t);
  int *ids = calloc((size_t)(n > 0 ? n : 1), sizeof *ids);
  if (!t || !ids) die("out of memory");
  for (int i = 0; i < n; i++) {
    ids[i] = i;
    start_thread(&t[i], busy_thread, &ids[i]);
  }
  volatile uint64_t x = 1;
  for (long long i = 0; i < o->count; i++)
    for (int k = 0; k < 1024; k++) x = x * 6364136223846793005ull + 1442695040888963407ull;
  work_done = 1;
  for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
  print_load_line("cpu-work", (unsigned long long)o->count);
}

/* ---------- syscall-loop ---------- */

void run_syscall_loop(struct opts *o) {
  if (!o->count) usage("syscall-loop needs --count N");
  set_thread_name("sysloop");
  unsigned long long n = (unsigned long long)o->count;
  uint64_t t0 = now_ns();
  /* syscall(2) directly: glibc's getppid() is a real syscall today, but going through
     syscall() guarantees no library caching or vDSO shortcut ever removes the kernel entry. */
  for (unsigned long long i = 0; i < n; i++) syscall(SYS_getppid);
  uint64_t dt = now_ns() - t0;
  print_metric("syscall_ns", (double)dt / (double)n, "ns", "lower");
  print_metric("ops_per_sec", (double)n / ((double)dt / 1e9), "1/s", "higher");
  print_load_line("syscall-loop", n);
}
