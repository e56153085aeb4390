/* kdelta-bpf: calibration, the same calls untraced and traced, in a cgroup of its own. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "kdelta-bpf.h"

/* Under trigger windows every counted event is inside one, so the calibration's processes open a
   window for themselves (what the start probe would do): their task storage's window start (per
   thread), or their process's entry in win_proc (per process), which they remove before exiting,
   since a pid is reused. Both clocks are CLOCK_MONOTONIC. */
static void window_open_self(void) {
  if (!skel->rodata->windows) return;
  uint64_t now = now_ns();
  if (skel->rodata->windows == 2) {
    uint32_t k = (uint32_t)getpid();
    bpf_map_update_elem(bpf_map__fd(skel->maps.win_proc), &k, &now, BPF_ANY);
    return;
  }
  int pfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
  if (pfd < 0) return;
  size_t vs = bpf_map__value_size(skel->maps.tstate);
  uint8_t *v = calloc(1, vs);
  /* win_start is the value's first field. */
  if (v && vs >= sizeof now) {
    memcpy(v, &now, sizeof now);
    bpf_map_update_elem(bpf_map__fd(skel->maps.tstate), &pfd, v, BPF_ANY);
  }
  free(v);
  close(pfd);
}

static void window_close_self(void) {
  if (skel->rodata->windows != 2) return;
  uint32_t k = (uint32_t)getpid();
  bpf_map_delete_elem(bpf_map__fd(skel->maps.win_proc), &k);
}

/* Many short rounds and their minimum: on a shared machine a long round almost always holds
   someone else's time slice. */
#define CAL_ROUNDS 10

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
    window_open_self();
    for (int i = 0; i < CAL_ROUNDS * n; i++) {
      if (read(a[0], &c, 1) != 1) { window_close_self(); _exit(1); }
      if (write(b[1], &c, 1) != 1) { window_close_self(); _exit(1); }
    }
    window_close_self();
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
    window_open_self();
    double r[2] = {per_call_getppid(1500), per_pingpong(60)};
    window_close_self();
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

/* Measures untraced, attaches every program, measures traced with the calibration cgroup
   admitted, and removes the cgroup. Without a cgroup, only attaches. */
void calibrate_and_attach(const char *cg, struct calib *out) {
  memset(out, 0, sizeof *out);
  if (!cg || mkdir(cg, 0755) != 0) {
    int err = kdelta__attach(skel);
    if (err) die("cannot attach the BPF programs (tp_btf): %s", strerror(-err));
    return;
  }
  struct stat st;
  int ok = stat(cg, &st) == 0 && measure_in(cg, out->untraced) == 0;
  int err = kdelta__attach(skel);
  if (err) { rmdir(cg); die("cannot attach the BPF programs (tp_btf): %s", strerror(-err)); }
  if (ok) {
    skel->bss->admitted[0] = st.st_ino;
    ok = measure_in(cg, out->traced) == 0;
    skel->bss->admitted[0] = 0;
  }
  rmdir(cg);
  out->ok = ok;
}
