/*
 * kdelta-bpf: loads kdelta's compiled BPF capture (bpf/kdelta.bpf.c, embedded as a libbpf
 * skeleton), and serves kdelta over stdin/stdout:
 *
 *   kdelta-bpf [--syscalls] [--ready] [--irq] [--threads] [--timeline] [--empty] [--sample N] [--skip id,id] [--only id,id]
 *              [--calib-cgroup DIR] [--sides N]
 *              [--win-start PROBE --win-stop PROBE [--win-min NS] [--win-process]] [--check-uprobe]
 *
 * stdout, first line: {"ready":true,"attach":"tp_btf","load_ns":..,"cost_syscall_ns":..,..}
 * stdin commands, one a line:
 *   admit ID[:SIDE]...  the cgroup ids whose tasks are captured (replaces the list), each on a
 *                 side: 0 (the default) the repetition's workload (at most 6 ids), 1 a service (at
 *                 most 2); a side past --sides (default 1) or full is refused, not counted in the answer
 *   dump          one JSON line per map with what changed since the previous dump, then
 *                 {"end":N}. Cumulative maps are differenced here; maxima are reset.
 * PROBE: usdt:BINARY:PROVIDER:NAME, uprobe:BINARY:FUNCTION, uretprobe:BINARY:FUNCTION or
 * tracepoint:SYSTEM:NAME; with windows, only the time between a start and the next stop counts.
 * The parts: kdelta-bpf-calib.c (calibration), -dump.c (the dump command), -win.c (windows),
 * -util.c (shared reads).
 * End of stdin (kdelta closed the pipe, or died in any way, even SIGKILL) detaches every
 * program and exits: the links die with the loader's file descriptors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <signal.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kdelta-bpf.h"

int ncpu;
int nsides = 1;
struct kdelta *skel;

struct opts {
  struct want w;
  unsigned sample;
  const char *calib, *only, *skip;
  struct win_opts win;
  int check_uprobe;
};

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

static void parse_args(int argc, char **argv, struct opts *o) {
  memset(o, 0, sizeof *o);
  o->sample = 1;
  int starts = 0, stops = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--syscalls")) o->w.sys = 1;
    else if (!strcmp(a, "--ready")) o->w.rd = 1;
    else if (!strcmp(a, "--irq")) o->w.irq = 1;
    else if (!strcmp(a, "--threads")) o->w.threads = 1;
    else if (!strcmp(a, "--timeline")) o->w.timeline = 1;
    else if (!strcmp(a, "--empty")) o->w.empty = 1; /* bench:overhead's floor: filter only */
    else if (!strcmp(a, "--check-uprobe")) o->check_uprobe = 1;
    else if (!strcmp(a, "--win-process")) o->win.per_process = 1;
    else if (!strcmp(a, "--sides") && v) { nsides = atoi(v); i++; }
    else if (!strcmp(a, "--sample") && v) { o->sample = (unsigned)strtoul(v, NULL, 10); i++; }
    else if (!strcmp(a, "--only") && v) { o->only = v; i++; }
    else if (!strcmp(a, "--skip") && v) { o->skip = v; i++; }
    else if (!strcmp(a, "--calib-cgroup") && v) { o->calib = v; i++; }
    else if (!strcmp(a, "--win-min") && v) { o->win.min_ns = strtoull(v, NULL, 10); i++; }
    else if (!strcmp(a, "--win-start") && v) { if (parse_probe(v, &o->win.start)) die("bad probe '%s'", v); starts = 1; i++; }
    else if (!strcmp(a, "--win-stop") && v) { if (parse_probe(v, &o->win.stop)) die("bad probe '%s'", v); stops = 1; i++; }
    else { fprintf(stderr, "kdelta-bpf: unknown argument '%s'\n", a); exit(2); }
  }
  if (starts != stops) die("--win-start and --win-stop go together");
  o->win.on = o->w.win = starts;
  if (o->check_uprobe) {
    /* Only the uprobe program, in window mode so that its body is the real one. */
    memset(&o->w, 0, sizeof o->w);
    o->win.on = 1;
    o->win.start.kind = o->win.stop.kind = PROBE_UPROBE;
  }
  if (o->sample < 1) o->sample = 1;
  if (nsides < 1 || nsides > NSIDES_MAX) die("--sides takes 1 to %d", NSIDES_MAX);
}

/* Load-time constants, which programs load, and map sizes: everything before kdelta__load. */
static void configure(const struct opts *o) {
  const struct want *w = &o->w;
  skel->rodata->sample = o->sample;
  skel->rodata->threads = w->threads;
  skel->rodata->timeline = w->timeline;
  skel->rodata->nsides = (uint32_t)nsides;
  skel->rodata->hist_side1 = (uint32_t)ncpu * NSYS * NB;
  skel->rodata->sys_on = w->sys;
  skel->rodata->rd_on = w->rd;
  skel->rodata->noret[0] = SYS_exit;
  skel->rodata->noret[1] = SYS_exit_group;
  uint8_t mask[NSYS];
  memset(mask, o->only ? 0 : 1, sizeof mask);
  if (o->only) parse_ids(o->only, mask, 1);
  if (o->skip) parse_ids(o->skip, mask, 0);
  memcpy((void *)skel->rodata->sys_traced, mask, sizeof mask);
  bpf_program__set_autoload(skel->progs.sys_enter, w->sys);
  bpf_program__set_autoload(skel->progs.sys_exit, w->sys);
  bpf_program__set_autoload(skel->progs.sys_enter_empty, w->empty);
  bpf_program__set_autoload(skel->progs.sys_exit_empty, w->empty);
  /* A timed call that leaves the CPU moves with its task at sched_switch (bpf/syscalls.h). */
  bpf_program__set_autoload(skel->progs.sched_switch, w->rd || w->sys);
  bpf_program__set_autoload(skel->progs.irq_handler_entry, w->irq);
  bpf_program__set_autoload(skel->progs.irq_handler_exit, w->irq);
  bpf_program__set_autoload(skel->progs.softirq_entry, w->irq);
  bpf_program__set_autoload(skel->progs.softirq_exit, w->irq);
  win_configure(&o->win);
  if (o->check_uprobe) bpf_program__set_autoload(skel->progs.win_stop_uprobe, 0);
  bpf_map__set_max_entries(skel->maps.sys_hist, w->sys ? (uint32_t)ncpu * nsides * NSYS * NB : 1);
  bpf_map__set_max_entries(skel->maps.sys_stats, (uint32_t)nsides * NSYS);
  bpf_map__set_max_entries(skel->maps.sys_max, (uint32_t)nsides * NSYS);
  bpf_map__set_max_entries(skel->maps.rd, w->rd ? (uint32_t)ncpu * RD_SLOTS : 1);
  if (!w->threads) bpf_map__set_max_entries(skel->maps.grp, 1);
  if (!w->timeline) bpf_map__set_max_entries(skel->maps.tl, 1);
  bpf_map__set_max_entries(skel->maps.tl_ready, w->timeline ? (uint32_t)ncpu * TL_SLOTS : 1);
  if (!w->win) bpf_map__set_max_entries(skel->maps.win_log, 1);
}

/* The count of getppid calls in sys_stats (side 0), summed over the CPUs. */
static uint64_t calib_counted(void) {
  uint32_t k = SYS_getppid;
  struct sys_stat *v = calloc((size_t)ncpu, sizeof *v);
  uint64_t n = 0;
  if (v && bpf_map_lookup_elem(bpf_map__fd(skel->maps.sys_stats), &k, v) == 0)
    for (int c = 0; c < ncpu; c++) n += v[c].count;
  free(v);
  return n;
}

static void print_ready(uint64_t t0, uint64_t attached, const struct calib *cal, const struct want *w) {
  /* A round trip is two switches and four syscalls: the syscalls' share
     is taken out so that the switch cost is the ready-delay programs' own. */
  double cost_sys = cal->traced[0] - cal->untraced[0];
  double cost_switch = (cal->traced[1] - cal->untraced[1] - (w->sys ? 4 * cost_sys : 0)) / 2;
  /* Minima of noisy loops can cross: a cost below zero means "below what the loop resolves". */
  if (cost_sys < 0) cost_sys = 0;
  if (cost_switch < 0) cost_switch = 0;
  printf("{\"ready\":true,\"attach\":\"tp_btf\",\"ncpu\":%d,\"attach_ns\":%llu", ncpu, (unsigned long long)(attached - t0));
  if (w->win) printf(",\"windows\":true");
  if (cal->ok) {
    printf(",\"cost_syscall_ns\":%.1f,\"cost_switch_ns\":%.1f,\"untraced_syscall_ns\":%.1f,\"untraced_roundtrip_ns\":%.1f",
           w->sys ? cost_sys : 0.0, w->rd ? cost_switch : 0.0, cal->untraced[0], cal->untraced[1]);
    /* How many of the calibration's getppid calls the capture counted: all of them, windows or not. */
    if (w->sys) printf(",\"calib_counted\":%llu", (unsigned long long)calib_counted());
  }
  printf(",\"ready_ns\":%llu}\n", (unsigned long long)(now_ns() - t0));
  fflush(stdout);
}

/* The workload's ids fill slots from 0, the service's the last NADMIT_SVC (bpf/admit.h: the slot
   is the side). An id that does not fit its side's slots, or whose side is past --sides, is refused. */
static void admit(char *args) {
  uint64_t ids[NADMIT] = {0};
  int n = 0, used[2] = {0, 0};
  const int room[2] = {NADMIT - NADMIT_SVC, NADMIT_SVC};
  char *save = NULL;
  for (char *t = strtok_r(args, " \t\n", &save); t; t = strtok_r(NULL, " \t\n", &save)) {
    char *end = NULL;
    uint64_t id = strtoull(t, &end, 10);
    long side = *end == ':' ? strtol(end + 1, NULL, 10) : 0;
    if (side < 0 || side >= nsides || used[side] >= room[side]) {
      fprintf(stderr, "kdelta-bpf: admit %s: side %ld is past --sides %d or full, not admitted\n", t, side, nsides);
      continue;
    }
    ids[side ? NADMIT - NADMIT_SVC + used[1] : used[0]] = id;
    used[side]++;
    n++;
  }
  for (int i = 0; i < NADMIT; i++) skel->bss->admitted[i] = ids[i];
  skel->bss->t0 = now_ns();
  printf("{\"admitted\":%d}\n", n);
  fflush(stdout);
}

/* Discards what the calibration left in the maps, silently. */
static void discard_counts(const struct want *w) {
  FILE *real = stdout;
  stdout = fopen("/dev/null", "w");
  if (stdout) { dump(w); fclose(stdout); }
  stdout = real;
  dump_reset();
}

int main(int argc, char **argv) {
  uint64_t t0 = now_ns();
  struct opts o;
  parse_args(argc, argv, &o);
  /* Belt and braces beside the stdin pipe: die with the parent. */
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  calibrate_begin(o.calib);
  ncpu = libbpf_num_possible_cpus();
  libbpf_set_print(libbpf_quiet);
  prev_hist = calloc((size_t)nsides * NSYS * NB, 8);
  prev_stat = calloc((size_t)nsides * NSYS * 2, 8);
  prev_hard = calloc(NIRQ * 4, 8);
  prev_soft = calloc(NSOFT * 4, 8);
  skel = kdelta__open();
  if (!skel) die("cannot open the BPF object: %s", strerror(errno));
  configure(&o);
  int err = kdelta__load(skel);
  if (err) die("cannot load the BPF programs (tp_btf): %s", strerror(-err));
  if (o.check_uprobe) return check_uprobe();
  if (o.w.sys) {
    size_t len = (size_t)ncpu * nsides * NSYS * NB * 8;
    void *m = mmap(NULL, len, PROT_READ, MAP_SHARED, bpf_map__fd(skel->maps.sys_hist), 0);
    if (m == MAP_FAILED) die("cannot mmap the syscall histogram: %s", strerror(errno));
    hist_mem = m;
  }
  if (o.w.rd) {
    void *m = mmap(NULL, (size_t)ncpu * RD_SLOTS * sizeof(struct rd_val), PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(skel->maps.rd), 0);
    if (m == MAP_FAILED) die("cannot mmap the ready-delay slots: %s", strerror(errno));
    rd_mem = m;
    prev_rd = calloc((size_t)ncpu * RD_SLOTS, sizeof(struct rd_val));
  }
  if (o.w.timeline) {
    void *m = mmap(NULL, (size_t)ncpu * TL_SLOTS * 8, PROT_READ, MAP_SHARED, bpf_map__fd(skel->maps.tl_ready), 0);
    if (m == MAP_FAILED) die("cannot mmap the timeline's ready delay: %s", strerror(errno));
    tl_ready_mem = m;
    prev_tl_ready = calloc((size_t)ncpu * TL_SLOTS, 8);
  }
  struct calib cal;
  calibrate_and_attach(&cal);
  win_attach(&o.win);
  print_ready(t0, now_ns(), &cal, &o.w);
  discard_counts(&o.w);
  char line[4096];
  while (fgets(line, sizeof line, stdin)) {
    if (!strncmp(line, "admit", 5)) admit(line + 5);
    else if (!strncmp(line, "dump", 4)) dump(&o.w);
    else if (!strncmp(line, "quit", 4)) break;
  }
  kdelta__destroy(skel);
  return 0;
}
