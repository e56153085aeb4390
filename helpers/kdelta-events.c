/*
 * kdelta-events: loads kdelta's slow-call capture (bpf/events.bpf.c, embedded as a libbpf
 * skeleton) and serves kdelta over stdin/stdout, like kdelta-bpf:
 *
 *   kdelta-events --over NS --max N [--no-stacks]
 *
 * stdout, first line: {"ready":true,"attach_ns":..,"ready_ns":..}
 * stdin commands, one a line:
 *   admit ID...   the cgroup ids whose calls are watched (at most 8); starts a repetition:
 *                 the slow-call count goes back to 0 and times are taken from here
 *   dump          every event still in the ring buffer, then {"seen":N,"ring_full":M} and
 *                 {"end":K}
 * Each event is a line {"ev":{...}} written as it arrives, with the executable mappings of
 * its process read from /proc/PID/maps right then, while the process still lives.
 * End of stdin (kdelta closed the pipe, or died in any way, even SIGKILL) detaches every
 * program and exits; PR_SET_PDEATHSIG is the second line of defence.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/libbpf.h>
#include "kdelta-events.h"
#include "kdevents.skel.h"

#define NADMIT 8

static struct kdevents *skel;
static uint64_t t0;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap) {
  if (level == LIBBPF_DEBUG) return 0;
  return vfprintf(stderr, fmt, ap);
}

/* Thread names and file paths are anyone's bytes: quotes, controls and non-ASCII escaped. */
static void json_str(const char *s, size_t max) {
  putchar('"');
  for (size_t i = 0; i < max && s[i]; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20 || c >= 0x7f) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

struct mapping { uint64_t start, end, off; char path[512]; };

/* The executable mappings of the last processes seen: a process that has exited by the time its
   event is read (its last calls, often the slowest: a join, an exit) is symbolized from what
   the loader read for one of its earlier events. */
#define MAP_CACHE 16
#define MAX_MAPS 256
static struct { uint32_t pid; int n; struct mapping *m; } cache[MAP_CACHE];
static int cache_next;

static int read_exec_maps(uint32_t pid, struct mapping *out) {
  char file[64], line[1024];
  snprintf(file, sizeof file, "/proc/%u/maps", pid);
  FILE *f = fopen(file, "r");
  int n = 0;
  while (f && n < MAX_MAPS && fgets(line, sizeof line, f)) {
    struct mapping m = {0};
    char perms[8] = "";
    int path_at = 0;
    if (sscanf(line, "%lx-%lx %7s %lx %*s %*s %n", &m.start, &m.end, perms, &m.off, &path_at) < 4) continue;
    if (perms[2] != 'x' || path_at <= 0) continue;
    char *p = line + path_at;
    p[strcspn(p, "\n")] = 0;
    snprintf(m.path, sizeof m.path, "%s", p);
    out[n++] = m;
  }
  if (f) fclose(f);
  return n;
}

/* The mappings of `pid`: read now, else the cached ones; the cache keeps the newest read. */
static int maps_of(uint32_t pid, struct mapping **out) {
  static struct mapping fresh[MAX_MAPS];
  int n = read_exec_maps(pid, fresh);
  int slot = -1;
  for (int i = 0; i < MAP_CACHE; i++) if (cache[i].m && cache[i].pid == pid) slot = i;
  if (n == 0) {
    *out = slot >= 0 ? cache[slot].m : NULL;
    return slot >= 0 ? cache[slot].n : 0;
  }
  if (slot < 0) { slot = cache_next; cache_next = (cache_next + 1) % MAP_CACHE; }
  free(cache[slot].m);
  cache[slot].m = malloc((size_t)n * sizeof *fresh);
  if (!cache[slot].m) { *out = fresh; return n; }
  memcpy(cache[slot].m, fresh, (size_t)n * sizeof *fresh);
  cache[slot].pid = pid;
  cache[slot].n = n;
  *out = cache[slot].m;
  return n;
}

/* The executable mappings of `pid` that hold one of `addrs`, printed as ["start","end","off","path"]. */
static void print_maps(uint32_t pid, const uint64_t *addrs, int n) {
  struct mapping *maps = NULL;
  int nm = maps_of(pid, &maps);
  fputs("\"maps\":[", stdout);
  int first = 1;
  for (int j = 0; j < nm; j++) {
    const struct mapping *m = &maps[j];
    int used = 0;
    for (int i = 0; i < n && !used; i++) used = addrs[i] >= m->start && addrs[i] < m->end;
    if (!used) continue;
    printf("%s[\"0x%lx\",\"0x%lx\",\"0x%lx\",", first ? "" : ",", m->start, m->end, m->off);
    json_str(m->path, sizeof m->path);
    putchar(']');
    first = 0;
  }
  putchar(']');
}

static void print_frames(const char *key, const __u64 *frames, int n) {
  printf("\"%s\":[", key);
  for (int i = 0; i < n; i++) printf("%s\"0x%llx\"", i ? "," : "", (unsigned long long)frames[i]);
  putchar(']');
}

static int on_event(void *ctx, void *data, size_t size) {
  (void)ctx;
  if (size < sizeof(struct kd_event)) return 0;
  const struct kd_event *e = data;
  int nu = e->ustack_bytes / 8, nk = e->kstack_bytes / 8;
  if (nu > KD_STACK_DEPTH) nu = KD_STACK_DEPTH;
  if (nk > KD_STACK_DEPTH) nk = KD_STACK_DEPTH;
  uint64_t addrs[KD_STACK_DEPTH + 1];
  memcpy(addrs, e->ustack, (size_t)nu * 8);
  addrs[nu] = e->stack_top;
  long long t = (long long)(e->start_ns - t0);
  printf("{\"ev\":{\"t\":%lld,\"d\":%llu,\"pid\":%u,\"tid\":%u,\"nr\":%u,\"ret\":%lld,\"comm\":", t,
         (unsigned long long)e->duration_ns, e->pid, e->tid, e->nr, (long long)e->ret);
  json_str(e->comm, sizeof e->comm);
  putchar(',');
  print_frames("u", e->ustack, nu);
  putchar(',');
  print_frames("k", e->kstack, nk);
  printf(",\"top\":\"0x%llx\",", (unsigned long long)e->stack_top);
  print_maps(e->pid, addrs, e->stack_top ? nu + 1 : nu);
  fputs("}}\n", stdout);
  return 0;
}

static void admit(char *args) {
  uint64_t ids[NADMIT] = {0};
  int n = 0;
  char *save = NULL;
  for (char *t = strtok_r(args, " \t\n", &save); t && n < NADMIT; t = strtok_r(NULL, " \t\n", &save))
    ids[n++] = strtoull(t, NULL, 10);
  /* The counters first: a repetition's count starts before any of its calls can be seen. */
  __atomic_store_n(&skel->bss->seen, 0, __ATOMIC_SEQ_CST);
  __atomic_store_n(&skel->bss->ring_full, 0, __ATOMIC_SEQ_CST);
  t0 = now_ns();
  for (int i = 0; i < NADMIT; i++) skel->bss->admitted[i] = ids[i];
  printf("{\"admitted\":%d}\n", n);
  fflush(stdout);
}

static uint64_t dumps;

static void dump(struct ring_buffer *rb) {
  ring_buffer__consume(rb);
  printf("{\"seen\":%llu,\"ring_full\":%llu}\n", (unsigned long long)__atomic_load_n(&skel->bss->seen, __ATOMIC_SEQ_CST),
         (unsigned long long)__atomic_load_n(&skel->bss->ring_full, __ATOMIC_SEQ_CST));
  printf("{\"end\":%llu}\n", (unsigned long long)dumps++);
  fflush(stdout);
}

/* Commands from stdin, whole lines only; returns 0 at end of input. */
static int read_commands(struct ring_buffer *rb) {
  static char buf[8192];
  static size_t len;
  ssize_t got = read(0, buf + len, sizeof buf - 1 - len);
  if (got <= 0) return got < 0 && errno == EINTR;
  len += (size_t)got;
  buf[len] = 0;
  char *line = buf, *nl;
  while ((nl = strchr(line, '\n'))) {
    *nl = 0;
    if (!strncmp(line, "admit", 5)) admit(line + 5);
    else if (!strncmp(line, "dump", 4)) dump(rb);
    else if (!strncmp(line, "quit", 4)) return 0;
    line = nl + 1;
  }
  len = strlen(line);
  memmove(buf, line, len);
  if (len >= sizeof buf - 1) len = 0; /* a line this long is no command */
  return 1;
}

static int parse_args(int argc, char **argv, uint64_t *over, uint64_t *max, int *want_stacks) {
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--over") && v) { *over = strtoull(v, NULL, 10); i++; }
    else if (!strcmp(a, "--max") && v) { *max = strtoull(v, NULL, 10); i++; }
    else if (!strcmp(a, "--no-stacks")) *want_stacks = 0;
    else { fprintf(stderr, "kdelta-events: unknown argument '%s'\n", a); return -1; }
  }
  return 0;
}

int main(int argc, char **argv) {
  uint64_t start = now_ns(), over = 1000000, max = 50;
  int want_stacks = 1;
  if (parse_args(argc, argv, &over, &max, &want_stacks)) return 2;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  libbpf_set_print(libbpf_quiet);
  skel = kdevents__open();
  if (!skel) { fprintf(stderr, "kdelta-events: cannot open the BPF object: %s\n", strerror(errno)); return 1; }
  skel->rodata->over_ns = over;
  skel->rodata->stacks = (uint8_t)want_stacks;
  skel->bss->max_events = max;
  int err = kdevents__load(skel);
  if (!err) err = kdevents__attach(skel);
  if (err) { fprintf(stderr, "kdelta-events: cannot load or attach the BPF programs (tp_btf): %s\n", strerror(-err)); return 1; }
  struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
  if (!rb) { fprintf(stderr, "kdelta-events: cannot open the ring buffer: %s\n", strerror(errno)); return 1; }
  /* Woken ahead of ordinary tasks when an event comes: the process's maps must be read before it
     exits, and on a loaded machine an ordinary wake-up can come too late. Best effort. */
  struct sched_param sp = {.sched_priority = 1};
  if (sched_setscheduler(0, SCHED_FIFO, &sp) != 0) fprintf(stderr, "kdelta-events: no SCHED_FIFO (%s): late events may lose their maps\n", strerror(errno));
  uint64_t attached = now_ns();
  printf("{\"ready\":true,\"attach_ns\":%llu,\"ready_ns\":%llu}\n", (unsigned long long)(attached - start), (unsigned long long)(now_ns() - start));
  fflush(stdout);
  struct pollfd fds[2] = {{.fd = 0, .events = POLLIN}, {.fd = ring_buffer__epoll_fd(rb), .events = POLLIN}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    /* Events first: a dump answered after them covers everything submitted before it. */
    if (fds[1].revents) { ring_buffer__consume(rb); fflush(stdout); }
    if (fds[0].revents && !read_commands(rb)) break;
  }
  ring_buffer__free(rb);
  kdevents__destroy(skel);
  return 0;
}
