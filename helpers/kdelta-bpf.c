/*
 * kdelta-bpf: loads kdelta's compiled BPF capture (bpf/kdelta.bpf.c, embedded as a libbpf
 * skeleton), and serves kdelta over stdin/stdout:
 *
 *   kdelta-bpf [--syscalls] [--ready] [--irq] [--threads] [--timeline] [--empty] [--sample N] [--skip id,id] [--only id,id]
 *              [--calib-cgroup DIR]
 *
 * stdout, first line: {"ready":true,"attach":"tp_btf","load_ns":..,"cost_syscall_ns":..,..}
 * stdin commands, one a line:
 *   admit ID...   the cgroup ids whose tasks are captured (replaces the list; at most 8)
 *   dump          one JSON line per map with what changed since the previous dump, then
 *                 {"end":N}. Cumulative maps are differenced here; maxima are reset.
 * End of stdin (kdelta closed the pipe, or died in any way, even SIGKILL) detaches every
 * program and exits: the links die with the loader's file descriptors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kdelta.skel.h"

#define NSYS 512
#define NB 256
#define RD_NB 256
#define NIRQ 1024
#define NSOFT 16
#define NADMIT 8

struct sys_stat { uint64_t count, sum; };
struct irq_stat { uint64_t count, total, wcount, wtotal; };
struct rd_key { char comm[16]; };
struct rd_val { uint64_t count, total, max; uint32_t b[RD_NB]; };
struct grp_key { char comm[16]; uint32_t kind, id; };
struct grp_val { uint64_t count, total, max, min; };

static int ncpu;
static struct kdelta *skel;

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("kdelta-bpf: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap) {
  if (level == LIBBPF_DEBUG) return 0;
  return vfprintf(stderr, fmt, ap);
}

static void parse_ids(const char *list, uint8_t *mask, uint8_t value) {
  char *copy = strdup(list), *save = NULL;
  for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    long id = strtol(t, NULL, 10);
    if (id >= 0 && id < NSYS) mask[id] = value;
  }
  free(copy);
}

/* ---------- calibration: the same calls untraced and traced, in a cgroup of its own ---------- */

/* Many short rounds and their minimum: on a shared machine a long round almost always holds
   someone else's time slice. */
#define CAL_ROUNDS 15

static double per_call_getppid(int n) {
  double best = 1e18;
  for (int round = 0; round < CAL_ROUNDS; round++) {
    uint64_t t0 = now_ns();
    for (int i = 0; i < n; i++) syscall(SYS_getppid);
    double d = (double)(now_ns() - t0) / n;
    if (d < best) best = d;
  }
  return best;
}

/* ns per round trip of a one-byte pipe ping-pong between two processes on one CPU. */
static double per_pingpong(int n) {
  int a[2], b[2];
  if (pipe(a) || pipe(b)) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    char c;
    for (int i = 0; i < CAL_ROUNDS * n; i++) {
      if (read(a[0], &c, 1) != 1) _exit(1);
      if (write(b[1], &c, 1) != 1) _exit(1);
    }
    _exit(0);
  }
  double best = 1e18;
  char c = 'x';
  for (int round = 0; round < CAL_ROUNDS; round++) {
    uint64_t t0 = now_ns();
    for (int i = 0; i < n; i++) {
      if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1) return -1;
    }
    double d = (double)(now_ns() - t0) / n;
    if (d < best) best = d;
  }
  waitpid(pid, NULL, 0);
  close(a[0]); close(a[1]); close(b[0]); close(b[1]);
  return best;
}

/* Runs both loops in a child inside `cg`, pinned to the CPU it starts on; writes 2 doubles to `out`. */
static int measure_in(const char *cg, double out[2]) {
  int p[2];
  if (pipe(p)) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    char path[4096];
    snprintf(path, sizeof path, "%s/cgroup.procs", cg);
    int fd = open(path, O_WRONLY);
    if (fd < 0 || write(fd, "0", 1) != 1) _exit(1);
    close(fd);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(sched_getcpu(), &set);
    sched_setaffinity(0, sizeof set, &set);
    double r[2] = {per_call_getppid(2000), per_pingpong(100)};
    if (write(p[1], r, sizeof r) != sizeof r) _exit(1);
    _exit(0);
  }
  close(p[1]);
  ssize_t got = read(p[0], out, 2 * sizeof(double));
  close(p[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  return got == 2 * sizeof(double) && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* ---------- dumps ---------- */

static volatile uint64_t *hist_mem;
static uint64_t *prev_hist, *prev_stat, *prev_hard, *prev_soft;
static uint64_t dumps;

/* Sum over CPUs of `words` u64 per element, for `n` elements of a per-CPU array. */
static int read_percpu_array(int fd, uint32_t n, uint32_t words, uint64_t *sum, uint64_t *maxv) {
  size_t stride = (size_t)words * 8;
  uint32_t *keys = malloc(n * sizeof *keys);
  uint8_t *vals = malloc((size_t)n * ncpu * stride);
  uint32_t out_batch = 0, done = 0;
  void *in = NULL;
  if (sum) memset(sum, 0, (size_t)n * stride);
  if (maxv) memset(maxv, 0, (size_t)n * 8);
  while (done < n) {
    uint32_t cnt = n - done;
    int err = bpf_map_lookup_batch(fd, in, &out_batch, keys, vals, &cnt, NULL);
    if (err && errno != ENOENT) { free(keys); free(vals); return -1; }
    for (uint32_t i = 0; i < cnt; i++) {
      uint32_t k = keys[i];
      if (k >= n) continue;
      for (int c = 0; c < ncpu; c++) {
        const uint64_t *v = (const uint64_t *)(vals + ((size_t)i * ncpu + c) * stride);
        for (uint32_t w = 0; w < words; w++) {
          if (maxv) { if (v[w] > maxv[k]) maxv[k] = v[w]; }
          else sum[(size_t)k * words + w] += v[w];
        }
      }
    }
    done += cnt;
    in = &out_batch;
    if (err || cnt == 0) break;
  }
  free(keys);
  free(vals);
  return 0;
}

static void dump_sys(void) {
  static uint64_t stat[NSYS * 2], hist[NSYS * NB], mx[NSYS];
  read_percpu_array(bpf_map__fd(skel->maps.sys_stats), NSYS, 2, stat, NULL);
  /* Only syscalls whose counters moved have histogram rows to read: a dump stays well under a
     millisecond with the 131072 counters per CPU. */
  for (uint32_t id = 0; id < NSYS; id++) {
    if (stat[id * 2] == prev_stat[id * 2] && stat[id * 2 + 1] == prev_stat[id * 2 + 1]) continue;
    memset(hist + (size_t)id * NB, 0, NB * 8);
    for (int c = 0; c < ncpu; c++) {
      const volatile uint64_t *blk = hist_mem + (size_t)c * NSYS * NB + (size_t)id * NB;
      for (size_t b = 0; b < NB; b++) hist[(size_t)id * NB + b] += blk[b];
    }
  }
  read_percpu_array(bpf_map__fd(skel->maps.sys_max), NSYS, 1, NULL, mx);
  int fd = bpf_map__fd(skel->maps.sys_max);
  uint64_t *zeros = calloc(ncpu, 8);
  fputs("{\"map\":\"sys\",\"rows\":[", stdout);
  int first = 1;
  for (uint32_t id = 0; id < NSYS; id++) {
    uint64_t dc = stat[id * 2] - prev_stat[id * 2], ds = stat[id * 2 + 1] - prev_stat[id * 2 + 1];
    uint64_t timed = 0;
    for (int b = 0; b < NB; b++) timed += hist[id * NB + b] - prev_hist[id * NB + b];
    if (dc == 0 && timed == 0) continue;
    printf("%s[%u,%llu,%llu,%llu,%llu,[", first ? "" : ",", id, (unsigned long long)dc, (unsigned long long)timed,
           (unsigned long long)ds, (unsigned long long)mx[id]);
    first = 0;
    int bf = 1;
    for (int b = 0; b < NB; b++) {
      uint64_t d = hist[id * NB + b] - prev_hist[id * NB + b];
      if (!d) continue;
      printf("%s%d,%llu", bf ? "" : ",", b, (unsigned long long)d);
      bf = 0;
    }
    fputs("]]", stdout);
    if (mx[id]) bpf_map_update_elem(fd, &id, zeros, BPF_ANY);
  }
  fputs("]}\n", stdout);
  free(zeros);
  memcpy(prev_stat, stat, sizeof stat);
  memcpy(prev_hist, hist, sizeof hist);
}

static void json_str(const char *s, size_t n) {
  putchar('"');
  for (size_t i = 0; i < n && s[i]; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20 || c >= 0x7f) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

static void dump_rd(void) {
  int fd = bpf_map__fd(skel->maps.rd);
  size_t vsz = (sizeof(struct rd_val) + 7) & ~7ul;
  uint32_t max = 4096;
  struct rd_key *keys = malloc(max * sizeof *keys);
  uint8_t *vals = malloc((size_t)max * ncpu * vsz);
  uint8_t in[64], out[64];
  void *inp = NULL;
  fputs("{\"map\":\"rd\",\"rows\":[", stdout);
  int first = 1;
  for (;;) {
    uint32_t cnt = max;
    /* Taken out as it is read: each dump holds the episodes since the previous one. */
    int err = bpf_map_lookup_and_delete_batch(fd, inp, out, keys, vals, &cnt, NULL);
    if (err && errno != ENOENT) break;
    for (uint32_t i = 0; i < cnt; i++) {
      struct rd_val sum = {0};
      for (int c = 0; c < ncpu; c++) {
        const struct rd_val *v = (const struct rd_val *)(vals + ((size_t)i * ncpu + c) * vsz);
        sum.count += v->count;
        sum.total += v->total;
        if (v->max > sum.max) sum.max = v->max;
        for (int b = 0; b < RD_NB; b++) sum.b[b] += v->b[b];
      }
      if (!sum.count) continue;
      fputs(first ? "[" : ",[", stdout);
      first = 0;
      json_str(keys[i].comm, sizeof keys[i].comm);
      printf(",%llu,%llu,%llu,[", (unsigned long long)sum.count, (unsigned long long)sum.total, (unsigned long long)sum.max);
      int bf = 1;
      for (int b = 0; b < RD_NB; b++) {
        if (!sum.b[b]) continue;
        printf("%s%d,%u", bf ? "" : ",", b, sum.b[b]);
        bf = 0;
      }
      fputs("]]", stdout);
    }
    if (err || cnt == 0) break;
    memcpy(in, out, sizeof in);
    inp = in;
  }
  uint64_t lost[4] = {0};
  uint64_t *pc = calloc(ncpu, 8);
  uint32_t k = 2;
  if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.misc), &k, pc))
    for (int c = 0; c < ncpu; c++) lost[0] += pc[c];
  static uint64_t prev_lost;
  printf("],\"lost\":%llu}\n", (unsigned long long)(lost[0] - prev_lost));
  prev_lost = lost[0];
  free(pc);
  free(keys);
  free(vals);
}

static void dump_irq(const char *name, int fd, uint32_t n, uint64_t *prev) {
  uint64_t *cur = calloc((size_t)n * 4, 8);
  read_percpu_array(fd, n, 4, cur, NULL);
  printf("{\"map\":\"%s\",\"rows\":[", name);
  int first = 1;
  for (uint32_t i = 0; i < n; i++) {
    uint64_t d[4];
    for (int w = 0; w < 4; w++) d[w] = cur[i * 4 + w] - prev[i * 4 + w];
    if (!d[0]) continue;
    printf("%s[%u,%llu,%llu,%llu,%llu]", first ? "" : ",", i, (unsigned long long)d[0], (unsigned long long)d[1],
           (unsigned long long)d[2], (unsigned long long)d[3]);
    first = 0;
  }
  fputs("]}\n", stdout);
  memcpy(prev, cur, (size_t)n * 4 * 8);
  free(cur);
}

static uint64_t misc_sum(uint32_t k) {
  uint64_t *pc = calloc(ncpu, 8), s = 0;
  if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.misc), &k, pc))
    for (int c = 0; c < ncpu; c++) s += pc[c];
  free(pc);
  return s;
}

/* The workload's run periods and on-CPU ns since the previous dump. */
static void dump_run(void) {
  static uint64_t prev_count, prev_total;
  uint64_t c = misc_sum(4), t = misc_sum(5);
  printf("{\"map\":\"run\",\"count\":%llu,\"total\":%llu}\n", (unsigned long long)(c - prev_count),
         (unsigned long long)(t - prev_total));
  prev_count = c;
  prev_total = t;
}

/* Per thread group: taken out as read, like the ready-delay map. */
static void dump_grp(void) {
  int fd = bpf_map__fd(skel->maps.grp);
  size_t vsz = sizeof(struct grp_val);
  uint32_t max = 4096;
  struct grp_key *keys = malloc(max * sizeof *keys);
  uint8_t *vals = malloc((size_t)max * ncpu * vsz);
  uint8_t in[64], out[64];
  void *inp = NULL;
  fputs("{\"map\":\"grp\",\"rows\":[", stdout);
  int first = 1;
  for (;;) {
    uint32_t cnt = max;
    int err = bpf_map_lookup_and_delete_batch(fd, inp, out, keys, vals, &cnt, NULL);
    if (err && errno != ENOENT) break;
    for (uint32_t i = 0; i < cnt; i++) {
      struct grp_val sum = {0};
      for (int c = 0; c < ncpu; c++) {
        const struct grp_val *v = (const struct grp_val *)(vals + ((size_t)i * ncpu + c) * vsz);
        sum.count += v->count;
        sum.total += v->total;
        if (v->max > sum.max) sum.max = v->max;
        if (v->min && (!sum.min || v->min < sum.min)) sum.min = v->min;
      }
      if (!sum.count && !sum.total) continue;
      fputs(first ? "[" : ",[", stdout);
      first = 0;
      json_str(keys[i].comm, sizeof keys[i].comm);
      printf(",%u,%u,%llu,%llu,%llu,%llu]", keys[i].kind, keys[i].id, (unsigned long long)sum.count,
             (unsigned long long)sum.total, (unsigned long long)sum.max, (unsigned long long)sum.min);
    }
    if (err || cnt == 0) break;
    memcpy(in, out, sizeof in);
    inp = in;
  }
  static uint64_t prev_lost;
  uint64_t lost = misc_sum(3);
  printf("],\"lost\":%llu}\n", (unsigned long long)(lost - prev_lost));
  prev_lost = lost;
  free(keys);
  free(vals);
}

static int want_threads, want_timeline;
#define TL_SLOTS 4096
struct tl_key { char comm[16]; uint32_t slot, pad; };
struct tl_val { uint64_t on_ns, switches; };

/* Per (comm, slot): on-CPU ns and switches per CPU; ready delay per slot; both taken out as read. */
static void dump_tl(void) {
  int fd = bpf_map__fd(skel->maps.tl);
  size_t vsz = sizeof(struct tl_val);
  uint32_t max = 4096;
  struct tl_key *keys = malloc(max * sizeof *keys);
  uint8_t *vals = malloc((size_t)max * ncpu * vsz);
  uint8_t in[64], out[64];
  void *inp = NULL;
  fputs("{\"map\":\"tl\",\"rows\":[", stdout);
  int first = 1;
  for (;;) {
    uint32_t cnt = max;
    int err = bpf_map_lookup_and_delete_batch(fd, inp, out, keys, vals, &cnt, NULL);
    if (err && errno != ENOENT) break;
    for (uint32_t i = 0; i < cnt; i++) {
      fputs(first ? "[" : ",[", stdout);
      first = 0;
      json_str(keys[i].comm, sizeof keys[i].comm);
      printf(",%u,[", keys[i].slot);
      for (int c = 0; c < ncpu; c++)
        printf("%s%llu", c ? "," : "", (unsigned long long)((const struct tl_val *)(vals + ((size_t)i * ncpu + c) * vsz))->on_ns);
      fputs("],[", stdout);
      for (int c = 0; c < ncpu; c++)
        printf("%s%llu", c ? "," : "", (unsigned long long)((const struct tl_val *)(vals + ((size_t)i * ncpu + c) * vsz))->switches);
      fputs("]]", stdout);
    }
    if (err || cnt == 0) break;
    memcpy(in, out, sizeof in);
    inp = in;
  }
  free(keys);
  free(vals);
  fputs("],\"ready\":[", stdout);
  int rfd = bpf_map__fd(skel->maps.tl_ready);
  uint64_t *pc = calloc(ncpu, 8), *zeros = calloc(ncpu, 8);
  first = 1;
  for (uint32_t k = 0; k < TL_SLOTS; k++) {
    if (bpf_map_lookup_elem(rfd, &k, pc)) continue;
    uint64_t sum = 0;
    for (int c = 0; c < ncpu; c++) sum += pc[c];
    if (!sum) continue;
    printf("%s%u,%llu", first ? "" : ",", k, (unsigned long long)sum);
    first = 0;
    bpf_map_update_elem(rfd, &k, zeros, BPF_ANY);
  }
  free(pc);
  free(zeros);
  static uint64_t prev_lost;
  uint64_t lost = misc_sum(6);
  printf("],\"lost\":%llu}\n", (unsigned long long)(lost - prev_lost));
  prev_lost = lost;
}

static void dump(int want_sys, int want_rd, int want_irq) {
  if (want_sys) dump_sys();
  if (want_rd) { dump_rd(); dump_run(); }
  if (want_threads) dump_grp();
  if (want_timeline) dump_tl();
  if (want_irq) {
    dump_irq("hard", bpf_map__fd(skel->maps.hard), NIRQ, prev_hard);
    dump_irq("soft", bpf_map__fd(skel->maps.soft), NSOFT, prev_soft);
  }
  printf("{\"end\":%llu}\n", (unsigned long long)dumps++);
  fflush(stdout);
}

static void admit(char *args) {
  uint64_t ids[NADMIT] = {0};
  int n = 0;
  char *save = NULL;
  for (char *t = strtok_r(args, " \t\n", &save); t && n < NADMIT; t = strtok_r(NULL, " \t\n", &save))
    ids[n++] = strtoull(t, NULL, 10);
  for (int i = 0; i < NADMIT; i++) skel->bss->admitted[i] = ids[i];
  skel->bss->t0 = now_ns();
  printf("{\"admitted\":%d}\n", n);
  fflush(stdout);
}

int main(int argc, char **argv) {
  uint64_t t0 = now_ns();
  int want_sys = 0, want_rd = 0, want_irq = 0, want_empty = 0;
  unsigned sample = 1;
  const char *calib = NULL, *only = NULL, *skip = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--syscalls")) want_sys = 1;
    else if (!strcmp(a, "--ready")) want_rd = 1;
    else if (!strcmp(a, "--irq")) want_irq = 1;
    else if (!strcmp(a, "--threads")) want_threads = 1;
    else if (!strcmp(a, "--timeline")) want_timeline = 1;
    else if (!strcmp(a, "--empty")) want_empty = 1; /* bench:overhead's floor: filter only */
    else if (!strcmp(a, "--sample") && v) { sample = (unsigned)strtoul(v, NULL, 10); i++; }
    else if (!strcmp(a, "--only") && v) { only = v; i++; }
    else if (!strcmp(a, "--skip") && v) { skip = v; i++; }
    else if (!strcmp(a, "--calib-cgroup") && v) { calib = v; i++; }
    else { fprintf(stderr, "kdelta-bpf: unknown argument '%s'\n", a); return 2; }
  }
  if (sample < 1) sample = 1;
  /* Belt and braces beside the stdin pipe: die with the parent. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  ncpu = libbpf_num_possible_cpus();
  libbpf_set_print(libbpf_quiet);
  prev_hist = calloc(NSYS * NB, 8);
  prev_stat = calloc(NSYS * 2, 8);
  prev_hard = calloc(NIRQ * 4, 8);
  prev_soft = calloc(NSOFT * 4, 8);

  skel = kdelta__open();
  if (!skel) die("cannot open the BPF object: %s", strerror(errno));
  skel->rodata->sample = sample;
  skel->rodata->threads = want_threads;
  skel->rodata->timeline = want_timeline;
  uint8_t mask[NSYS];
  memset(mask, only ? 0 : 1, sizeof mask);
  if (only) parse_ids(only, mask, 1);
  if (skip) parse_ids(skip, mask, 0);
  memcpy((void *)skel->rodata->sys_traced, mask, sizeof mask);
  bpf_program__set_autoload(skel->progs.sys_enter, want_sys);
  bpf_program__set_autoload(skel->progs.sys_exit, want_sys);
  bpf_program__set_autoload(skel->progs.sys_enter_empty, want_empty);
  bpf_program__set_autoload(skel->progs.sys_exit_empty, want_empty);
  bpf_program__set_autoload(skel->progs.sched_switch, want_rd);
  bpf_program__set_autoload(skel->progs.sched_wakeup, want_rd);
  bpf_program__set_autoload(skel->progs.sched_wakeup_new, want_rd);
  bpf_program__set_autoload(skel->progs.irq_handler_entry, want_irq);
  bpf_program__set_autoload(skel->progs.irq_handler_exit, want_irq);
  bpf_program__set_autoload(skel->progs.softirq_entry, want_irq);
  bpf_program__set_autoload(skel->progs.softirq_exit, want_irq);
  bpf_map__set_max_entries(skel->maps.sys_hist, want_sys ? (uint32_t)ncpu * NSYS * NB : 1);
  if (!want_rd) bpf_map__set_max_entries(skel->maps.rd, 1);
  if (!want_threads) bpf_map__set_max_entries(skel->maps.grp, 1);
  if (!want_timeline) bpf_map__set_max_entries(skel->maps.tl, 1);
  int err = kdelta__load(skel);
  if (err) die("cannot load the BPF programs (tp_btf): %s", strerror(-err));

  if (want_sys) {
    size_t len = (size_t)ncpu * NSYS * NB * 8;
    void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, bpf_map__fd(skel->maps.sys_hist), 0);
    if (m == MAP_FAILED) die("cannot mmap the syscall histogram: %s", strerror(errno));
    hist_mem = m;
  }
  double untraced[2] = {0, 0}, traced[2] = {0, 0};
  int calibrated = 0;
  if (calib && mkdir(calib, 0755) == 0) {
    struct stat st;
    if (stat(calib, &st) == 0 && measure_in(calib, untraced) == 0) calibrated = 1;
    err = kdelta__attach(skel);
    if (err) { rmdir(calib); die("cannot attach the BPF programs (tp_btf): %s", strerror(-err)); }
    if (calibrated) {
      skel->bss->admitted[0] = st.st_ino;
      calibrated = measure_in(calib, traced) == 0;
      skel->bss->admitted[0] = 0;
    }
    rmdir(calib);
  } else {
    err = kdelta__attach(skel);
    if (err) die("cannot attach the BPF programs (tp_btf): %s", strerror(-err));
  }
  uint64_t attached = now_ns();
  /* A round trip is two switches (each with its wake-up) and four syscalls: the syscalls' share
     is taken out so that the switch cost is the ready-delay programs' own. */
  double cost_sys = traced[0] - untraced[0];
  double cost_switch = (traced[1] - untraced[1] - (want_sys ? 4 * cost_sys : 0)) / 2;
  /* Minima of noisy loops can cross: a cost below zero means "below what the loop resolves". */
  if (cost_sys < 0) cost_sys = 0;
  if (cost_switch < 0) cost_switch = 0;
  printf("{\"ready\":true,\"attach\":\"tp_btf\",\"ncpu\":%d,\"attach_ns\":%llu", ncpu, (unsigned long long)(attached - t0));
  if (calibrated)
    printf(",\"cost_syscall_ns\":%.1f,\"cost_switch_ns\":%.1f,\"untraced_syscall_ns\":%.1f,\"untraced_roundtrip_ns\":%.1f",
           want_sys ? cost_sys : 0.0, want_rd ? cost_switch : 0.0, untraced[0], untraced[1]);
  printf(",\"ready_ns\":%llu}\n", (unsigned long long)(now_ns() - t0));
  fflush(stdout);
  {
    /* Discard the calibration's counts, silently. */
    FILE *real = stdout;
    stdout = fopen("/dev/null", "w");
    if (stdout) { dump(want_sys, want_rd, want_irq); fclose(stdout); }
    stdout = real;
    dumps = 0;
  }

  char line[4096];
  while (fgets(line, sizeof line, stdin)) {
    if (!strncmp(line, "admit", 5)) admit(line + 5);
    else if (!strncmp(line, "dump", 4)) dump(want_sys, want_rd, want_irq);
    else if (!strncmp(line, "quit", 4)) break;
  }
  kdelta__destroy(skel);
  return 0;
}
