/*
 * kdelta-load: the builtin synthetic loads. Each subcommand creates one kernel effect that
 * Node cannot create precisely (real threads competing for CPUs, raw system calls without
 * libc or libuv in between, blocking wake-ups through pipes, fsync, loopback TCP).
 *
 *   kdelta-load cpu-contention --threads N --duration-ms D   N spinning threads for D ms
 *   kdelta-load syscall-loop   --count N                     N raw getppid() calls
 *   kdelta-load cpu-work       --count N [--threads S]       N blocks of fixed CPU work, S spinners beside it
 *   kdelta-load pipe-pingpong  --count N [--pairs P]         N round trips per pair
 *   kdelta-load fsync-write    --count N [--dir DIR]         N x (4 KiB write + fsync)
 *   kdelta-load loopback-tcp   --bytes B                     B bytes over 127.0.0.1
 *   every subcommand also takes --cpu C (pin the whole load to CPU C).
 *
 * At exit it prints JSON lines on stdout:
 *   {"kdelta":"load","op":"<sub>","count":<ops done>,"threads":[{"tid","comm","run_ns",
 *    "run_delay_ns","timeslices"}...]}
 *   {"metric":"<name>","value":<number>,"unit":"<unit>","better":"lower|higher"}
 * Every thread (the main one included) reads its own /proc/thread-self/schedstat just
 * before it ends: a thread's counters vanish with it, so this is the only exact source
 * for cross-checking an eBPF run-queue delay total.
 *
 * Exit status: 0 done, 1 a system call failed (message on stderr), 2 usage.
 */
#include "load.h"

/* ---------- small utilities ---------- */

void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("kdelta-load: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

void usage(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("kdelta-load: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputs("\nusage: kdelta-load cpu-contention --threads N --duration-ms D\n"
        "       kdelta-load syscall-loop --count N\n"
        "       kdelta-load cpu-work --count N [--threads S]\n"
        "       kdelta-load pipe-pingpong --count N [--pairs P]\n"
        "       kdelta-load fsync-write --count N [--dir DIR]\n"
        "       kdelta-load loopback-tcp --bytes B\n"
        "       (all take --cpu C to pin the load to one CPU)\n",
        stderr);
  exit(2);
}

uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

pid_t gettid_raw(void) { return (pid_t)syscall(SYS_gettid); }

/* ---------- per-thread schedstat, read by each thread just before it ends ---------- */

struct thread_stat {
  pid_t tid;
  char comm[17];
  unsigned long long run_ns, run_delay_ns, timeslices;
};

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static struct thread_stat *stats;
static size_t stats_len, stats_cap;

void record_thread_stat(void) {
  struct thread_stat st;
  memset(&st, 0, sizeof st);
  st.tid = gettid_raw();
  if (prctl(PR_GET_NAME, st.comm, 0, 0, 0) != 0) strcpy(st.comm, "?");
  char path[64];
  FILE *f = fopen("/proc/thread-self/schedstat", "r");
  if (!f) {
    /* /proc/thread-self appeared in Linux 3.17 */
    snprintf(path, sizeof path, "/proc/self/task/%d/schedstat", (int)st.tid);
    f = fopen(path, "r");
  }
  if (!f) die("cannot read schedstat: %s (kernel without CONFIG_SCHED_INFO?)", strerror(errno));
  if (fscanf(f, "%llu %llu %llu", &st.run_ns, &st.run_delay_ns, &st.timeslices) != 3)
    die("unexpected /proc/thread-self/schedstat format");
  fclose(f);
  pthread_mutex_lock(&stats_lock);
  if (stats_len == stats_cap) {
    stats_cap = stats_cap ? stats_cap * 2 : 16;
    stats = realloc(stats, stats_cap * sizeof *stats);
    if (!stats) die("out of memory");
  }
  stats[stats_len++] = st;
  pthread_mutex_unlock(&stats_lock);
}

void set_thread_name(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }

/* ---------- JSON output ---------- */

static void print_json_string(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

void print_metric(const char *name, double value, const char *unit, const char *better) {
  printf("{\"metric\":");
  print_json_string(name);
  printf(",\"value\":%.10g,\"unit\":", value);
  print_json_string(unit);
  printf(",\"better\":\"%s\"}\n", better);
}

/* The main thread records its own schedstat last, then prints the summary line. */
void print_load_line(const char *op, unsigned long long count) {
  record_thread_stat();
  printf("{\"kdelta\":\"load\",\"op\":\"%s\",\"count\":%llu,\"threads\":[", op, count);
  for (size_t i = 0; i < stats_len; i++) {
    if (i) putchar(',');
    printf("{\"tid\":%d,\"comm\":", (int)stats[i].tid);
    print_json_string(stats[i].comm);
    printf(",\"run_ns\":%llu,\"run_delay_ns\":%llu,\"timeslices\":%llu}", stats[i].run_ns,
           stats[i].run_delay_ns, stats[i].timeslices);
  }
  printf("]}\n");
  fflush(stdout);
}

/* ---------- options ---------- */


static long long parse_count(const char *flag, const char *v, long long min) {
  if (!v) usage("%s needs a value", flag);
  char *end;
  errno = 0;
  long long n = strtoll(v, &end, 10);
  if (errno || *end || end == v || n < min) usage("%s: expected an integer >= %lld, got '%s'", flag, min, v);
  return n;
}

static void parse_opts(int argc, char **argv, struct opts *o) {
  for (int i = 2; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--threads")) o->threads = parse_count(a, v, 1);
    else if (!strcmp(a, "--duration-ms")) o->duration_ms = parse_count(a, v, 1);
    else if (!strcmp(a, "--count")) o->count = parse_count(a, v, 1);
    else if (!strcmp(a, "--pairs")) o->pairs = parse_count(a, v, 1);
    else if (!strcmp(a, "--bytes")) o->bytes = parse_count(a, v, 1);
    else if (!strcmp(a, "--cpu")) o->cpu = (int)parse_count(a, v, 0);
    else if (!strcmp(a, "--dir")) {
      if (!v) usage("--dir needs a value");
      o->dir = v;
    } else usage("unknown option '%s'", a);
    i++;
  }
}

/* Threads created later inherit the main thread's affinity, so pinning here pins the whole load. */
static void pin_to_cpu(int cpu) {
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) die("cannot pin to CPU %d: %s", cpu, strerror(errno));
}

void start_thread(pthread_t *t, void *(*fn)(void *), void *arg) {
  int err = pthread_create(t, NULL, fn, arg);
  if (err) die("pthread_create: %s", strerror(err));
}
/* ---------- main ---------- */

int main(int argc, char **argv) {
  if (argc < 2) usage("missing subcommand");
  struct opts o = {0};
  o.cpu = -1;
  parse_opts(argc, argv, &o);
  pin_to_cpu(o.cpu);
  const char *sub = argv[1];
  if (!strcmp(sub, "cpu-contention")) run_cpu_contention(&o);
  else if (!strcmp(sub, "syscall-loop")) run_syscall_loop(&o);
  else if (!strcmp(sub, "cpu-work")) run_cpu_work(&o);
  else if (!strcmp(sub, "pipe-pingpong")) run_pipe_pingpong(&o);
  else if (!strcmp(sub, "fsync-write")) run_fsync_write(&o);
  else if (!strcmp(sub, "loopback-tcp")) run_loopback_tcp(&o);
  else usage("unknown subcommand '%s'", sub);
  return 0;
}
