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
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC 0x858458f6
#endif

/* ---------- small utilities ---------- */

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("kdelta-load: ", stderr);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  exit(1);
}

static void usage(const char *fmt, ...) {
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

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static pid_t gettid_raw(void) { return (pid_t)syscall(SYS_gettid); }

/* ---------- per-thread schedstat, read by each thread just before it ends ---------- */

struct thread_stat {
  pid_t tid;
  char comm[17];
  unsigned long long run_ns, run_delay_ns, timeslices;
};

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static struct thread_stat *stats;
static size_t stats_len, stats_cap;

static void record_thread_stat(void) {
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

static void set_thread_name(const char *name) { prctl(PR_SET_NAME, name, 0, 0, 0); }

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

static void print_metric(const char *name, double value, const char *unit, const char *better) {
  printf("{\"metric\":");
  print_json_string(name);
  printf(",\"value\":%.10g,\"unit\":", value);
  print_json_string(unit);
  printf(",\"better\":\"%s\"}\n", better);
}

/* The main thread records its own schedstat last, then prints the summary line. */
static void print_load_line(const char *op, unsigned long long count) {
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

struct opts {
  long long threads, duration_ms, count, pairs, bytes;
  int cpu; /* -1: not pinned */
  const char *dir;
};

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

static void start_thread(pthread_t *t, void *(*fn)(void *), void *arg) {
  int err = pthread_create(t, NULL, fn, arg);
  if (err) die("pthread_create: %s", strerror(err));
}

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

static void run_cpu_contention(struct opts *o) {
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

static void run_cpu_work(struct opts *o) {
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

static void run_syscall_loop(struct opts *o) {
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

/* ---------- pipe-pingpong ---------- */

struct pp_arg {
  int index;
  int ping; /* 1: sends first */
  int rfd, wfd;
  unsigned long long count, done;
};

static void *pingpong_thread(void *p) {
  struct pp_arg *a = p;
  char name[16];
  snprintf(name, sizeof name, "%s%d", a->ping ? "ping" : "pong", a->index);
  set_thread_name(name);
  char b = 'x';
  /* One byte each way through blocking pipes: every hop is a sleep in pipe_read and a
     wake-up by the other thread, i.e. one sched_wakeup -> sched_switch latency. */
  for (unsigned long long i = 0; i < a->count; i++) {
    if (a->ping) {
      if (write(a->wfd, &b, 1) != 1) die("pipe write: %s", strerror(errno));
      if (read(a->rfd, &b, 1) != 1) die("pipe read: %s", strerror(errno));
    } else {
      if (read(a->rfd, &b, 1) != 1) die("pipe read: %s", strerror(errno));
      if (write(a->wfd, &b, 1) != 1) die("pipe write: %s", strerror(errno));
    }
    a->done++;
  }
  record_thread_stat();
  return NULL;
}

static void run_pipe_pingpong(struct opts *o) {
  if (!o->count) usage("pipe-pingpong needs --count N");
  int pairs = o->pairs ? (int)o->pairs : 1;
  pthread_t *t = calloc((size_t)pairs * 2, sizeof *t);
  struct pp_arg *args = calloc((size_t)pairs * 2, sizeof *args);
  if (!t || !args) die("out of memory");
  uint64_t t0 = now_ns();
  for (int i = 0; i < pairs; i++) {
    int there[2], back[2];
    if (pipe(there) || pipe(back)) die("pipe: %s", strerror(errno));
    args[2 * i] = (struct pp_arg){i, 1, back[0], there[1], (unsigned long long)o->count, 0};
    args[2 * i + 1] = (struct pp_arg){i, 0, there[0], back[1], (unsigned long long)o->count, 0};
  }
  for (int i = 0; i < pairs * 2; i++) start_thread(&t[i], pingpong_thread, &args[i]);
  unsigned long long trips = 0;
  for (int i = 0; i < pairs * 2; i++) {
    pthread_join(t[i], NULL);
    if (args[i].ping) trips += args[i].done;
  }
  uint64_t dt = now_ns() - t0;
  print_metric("round_trip_ns", (double)dt * pairs / (double)trips, "ns", "lower");
  print_metric("ops_per_sec", (double)trips / ((double)dt / 1e9), "1/s", "higher");
  print_load_line("pipe-pingpong", trips);
}

/* ---------- fsync-write ---------- */

static void run_fsync_write(struct opts *o) {
  if (!o->count) usage("fsync-write needs --count N");
  const char *dir = o->dir ? o->dir : ".";
  struct statfs sfs;
  if (statfs(dir, &sfs) != 0) die("cannot use --dir %s: %s", dir, strerror(errno));
  if ((unsigned long)sfs.f_type == TMPFS_MAGIC || (unsigned long)sfs.f_type == RAMFS_MAGIC)
    usage("%s is on tmpfs/ramfs, where fsync does no I/O; pass --dir on a disk file system", dir);
  set_thread_name("fsync");
  char path[4096];
  /* O_TMPFILE: an unnamed file, so a repetition killed by cgroup.kill on timeout (SIGKILL,
     no handler runs) leaves nothing behind. Where the file system lacks it, a named
     temporary file unlinked at the end. */
  int fd = open(dir, O_TMPFILE | O_RDWR, 0600);
  int named = 0;
  if (fd < 0) {
    snprintf(path, sizeof path, "%s/.kdelta-fsync-XXXXXX", dir);
    fd = mkstemp(path);
    if (fd < 0) die("cannot create a file in %s: %s", dir, strerror(errno));
    named = 1;
  }
  char buf[4096];
  memset(buf, 'k', sizeof buf);
  unsigned long long n = (unsigned long long)o->count;
  uint64_t t0 = now_ns();
  for (unsigned long long i = 0; i < n; i++) {
    if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) die("write: %s", strerror(errno));
    if (fsync(fd) != 0) die("fsync: %s", strerror(errno));
  }
  uint64_t dt = now_ns() - t0;
  close(fd);
  if (named) unlink(path);
  print_metric("fsync_ns", (double)dt / (double)n, "ns", "lower");
  print_metric("ops_per_sec", (double)n / ((double)dt / 1e9), "1/s", "higher");
  print_load_line("fsync-write", n);
}

/* ---------- loopback-tcp ---------- */

struct tcp_arg {
  int fd;
  unsigned long long bytes, moved;
};

static void *tcp_server(void *p) {
  struct tcp_arg *a = p;
  set_thread_name("tcpserver");
  int c = accept(a->fd, NULL, NULL);
  if (c < 0) die("accept: %s", strerror(errno));
  static char buf[1 << 16];
  for (;;) {
    ssize_t r = read(c, buf, sizeof buf);
    if (r < 0) {
      if (errno == EINTR) continue;
      die("tcp read: %s", strerror(errno));
    }
    if (r == 0) break;
    a->moved += (unsigned long long)r;
  }
  close(c);
  record_thread_stat();
  return NULL;
}

static void *tcp_client(void *p) {
  struct tcp_arg *a = p;
  set_thread_name("tcpclient");
  static char buf[1 << 16];
  memset(buf, 't', sizeof buf);
  unsigned long long left = a->bytes;
  while (left) {
    size_t chunk = left < sizeof buf ? (size_t)left : sizeof buf;
    ssize_t w = write(a->fd, buf, chunk);
    if (w < 0) {
      if (errno == EINTR) continue;
      die("tcp write: %s", strerror(errno));
    }
    left -= (unsigned long long)w;
    a->moved += (unsigned long long)w;
  }
  shutdown(a->fd, SHUT_WR);
  record_thread_stat();
  return NULL;
}

static void run_loopback_tcp(struct opts *o) {
  if (!o->bytes) usage("loopback-tcp needs --bytes B");
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ls < 0) die("socket: %s", strerror(errno));
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t alen = sizeof addr;
  if (bind(ls, (struct sockaddr *)&addr, sizeof addr) || listen(ls, 1) ||
      getsockname(ls, (struct sockaddr *)&addr, &alen))
    die("listen on 127.0.0.1: %s", strerror(errno));
  int cs = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (cs < 0) die("socket: %s", strerror(errno));
  struct tcp_arg srv = {ls, o->bytes, 0}, cli = {cs, o->bytes, 0};
  pthread_t ts, tc;
  uint64_t t0 = now_ns();
  start_thread(&ts, tcp_server, &srv);
  if (connect(cs, (struct sockaddr *)&addr, sizeof addr)) die("connect to 127.0.0.1: %s", strerror(errno));
  start_thread(&tc, tcp_client, &cli);
  pthread_join(tc, NULL);
  pthread_join(ts, NULL);
  uint64_t dt = now_ns() - t0;
  close(cs);
  close(ls);
  if (srv.moved != (unsigned long long)o->bytes)
    die("server received %llu bytes, client sent %llu", srv.moved, cli.moved);
  print_metric("bytes_per_sec", (double)srv.moved / ((double)dt / 1e9), "B/s", "higher");
  print_load_line("loopback-tcp", srv.moved);
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
