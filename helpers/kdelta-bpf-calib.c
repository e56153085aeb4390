/* kdelta-bpf: calibration, the same calls untraced and traced, in a cgroup of its own. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "kdelta-bpf.h"

/* Set for the traced half only: the untraced half runs before the object is even opened. */
static int traced_half;

/* Under trigger windows every counted event is inside one, so the calibration's processes open a
   window for themselves (what the start probe would do): their task storage's window start (per
   thread), or their process's entry in win_proc (per process), which they remove before exiting,
   since a pid is reused. Both clocks are CLOCK_MONOTONIC. */
static void window_open_self(void) {
  if (!traced_half || !skel->rodata->windows) return;
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
  if (!traced_half || skel->rodata->windows != 2) return;
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

/* Both halves run on one CPU, the last this process may use: on these VMs the same tracepoint
   costs twice as much on one CPU as on another, so a traced half elsewhere than its untraced
   half would charge that difference to the capture. */
static int calib_cpu(void) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return sched_getcpu();
  for (int c = CPU_SETSIZE - 1; c >= 0; c--)
    if (CPU_ISSET(c, &set)) return c;
  return 0;
}

struct measure {
  pid_t pid;
  int fd;
};

/* clone3's arguments up to `cgroup` (CLONE_ARGS_SIZE_VER2), spelled out: <linux/sched.h> and
   glibc's <sched.h> define the CLONE_ flags twice. */
struct clone_into {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};
#define KD_CLONE_INTO_CGROUP 0x200000000ULL

/* A child born in `cg` (clone3 with CLONE_INTO_CGROUP, 5.7+): writing a pid to cgroup.procs
   waits for an RCU grace period, 6-18 ms here, every time. Older kernels take that way. */
static pid_t fork_into(const char *cg) {
  int dir = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    struct clone_into a = {.flags = KD_CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)dir};
    pid_t pid = (pid_t)syscall(SYS_clone3, &a, sizeof a);
    if (pid != 0) close(dir);
    if (pid >= 0) return pid;
  }
  pid_t pid = fork();
  if (pid != 0) return pid;
  char path[4096];
  snprintf(path, sizeof path, "%s/cgroup.procs", cg);
  int fd = open(path, O_WRONLY);
  if (fd < 0 || write(fd, "0", 1) != 1) _exit(1);
  close(fd);
  return 0;
}

/* Starts both loops in a child inside `cg`, pinned to `cpu`; measure_wait reads its 2 doubles. */
static int measure_start(const char *cg, int cpu, struct measure *m) {
  int p[2];
  if (pipe(p)) return -1;
  pid_t pid = fork_into(cg);
  if (pid < 0) { close(p[0]); close(p[1]); return -1; }
  if (pid == 0) {
    /* Dies with the loader, which a kdelta that dies takes with it. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    close(p[0]);
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
    window_open_self();
    double r[2] = {per_call_getppid(1500), per_pingpong(60)};
    window_close_self();
    if (write(p[1], r, sizeof r) != sizeof r) _exit(1);
    _exit(0);
  }
  close(p[1]);
  m->pid = pid;
  m->fd = p[0];
  return 0;
}

static int measure_wait(struct measure *m, double out[2]) {
  ssize_t got = read(m->fd, out, 2 * sizeof(double));
  close(m->fd);
  int st = 0;
  waitpid(m->pid, &st, 0);
  return got == 2 * sizeof(double) && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

static struct {
  const char *cg;
  int cpu, started, moved;
  ino_t id;
  struct measure m;
  cpu_set_t mask;
} cal_run;

/* While the untraced half runs, this process keeps off its CPU (the verifier would preempt it),
   when there is another CPU to be on; back to its own mask once that half is in. */
static void keep_off(int cpu) {
  cpu_set_t other = cal_run.mask;
  CPU_CLR(cpu, &other);
  cal_run.moved = CPU_COUNT(&other) > 0 && sched_setaffinity(0, sizeof other, &other) == 0;
}

static void keep_off_end(void) {
  if (cal_run.moved) sched_setaffinity(0, sizeof cal_run.mask, &cal_run.mask);
  cal_run.moved = 0;
}

/* At any exit, die() included: no measuring child and no calibration cgroup left behind. */
static void calibrate_cleanup(void) {
  if (cal_run.started) {
    kill(cal_run.m.pid, SIGKILL);
    double ignored[2];
    measure_wait(&cal_run.m, ignored);
    cal_run.started = 0;
  }
  if (cal_run.cg) rmdir(cal_run.cg);
  cal_run.cg = NULL;
}

/* The untraced half, started before the object is opened: it runs on its own CPU while this
   process spends tens of milliseconds in the verifier, instead of after it. */
void calibrate_begin(const char *cg) {
  memset(&cal_run, 0, sizeof cal_run);
  if (!cg || mkdir(cg, 0755) != 0) return;
  cal_run.cg = cg;
  atexit(calibrate_cleanup);
  struct stat st;
  cal_run.cpu = calib_cpu();
  if (stat(cg, &st) != 0) return;
  cal_run.id = st.st_ino;
  cal_run.started = measure_start(cg, cal_run.cpu, &cal_run.m) == 0;
  if (cal_run.started && sched_getaffinity(0, sizeof cal_run.mask, &cal_run.mask) == 0) keep_off(cal_run.cpu);
}

/* Takes the untraced half, attaches every program, measures the traced half with the
   calibration cgroup admitted, and removes the cgroup. Without a cgroup, only attaches. */
void calibrate_and_attach(struct calib *out) {
  memset(out, 0, sizeof *out);
  int ok = cal_run.started && measure_wait(&cal_run.m, out->untraced) == 0;
  cal_run.started = 0;
  keep_off_end();
  int err = kdelta__attach(skel);
  if (err) die("cannot attach the BPF programs (tp_btf): %s", strerror(-err));
  if (!cal_run.cg) return;
  if (ok) {
    skel->bss->admitted[0] = cal_run.id;
    traced_half = 1;
    struct measure m;
    ok = measure_start(cal_run.cg, cal_run.cpu, &m) == 0 && measure_wait(&m, out->traced) == 0;
    traced_half = 0;
    skel->bss->admitted[0] = 0;
  }
  rmdir(cal_run.cg);
  cal_run.cg = NULL;
  out->ok = ok;
}
