/* kdelta-bpf: trigger windows. The start and stop probes (USDT, uprobe, uretprobe, tracepoint)
   are attached here by hand: their sections name no target, so the skeleton leaves them alone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kdelta-bpf.h"

/* "usdt:BINARY:PROVIDER:NAME", "uprobe:BINARY:FUNCTION", "uretprobe:BINARY:FUNCTION",
   "tracepoint:SYSTEM:NAME". The binary may hold ':' itself: the names are taken from the end. */
int parse_probe(const char *spec, struct probe *p) {
  memset(p, 0, sizeof *p);
  const char *colon = strchr(spec, ':');
  if (!colon) return -1;
  size_t kl = (size_t)(colon - spec);
  int names = 1;
  if (kl == 4 && !strncmp(spec, "usdt", 4)) { p->kind = PROBE_USDT; names = 2; }
  else if (kl == 6 && !strncmp(spec, "uprobe", 6)) p->kind = PROBE_UPROBE;
  else if (kl == 9 && !strncmp(spec, "uretprobe", 9)) p->kind = PROBE_URETPROBE;
  else if (kl == 10 && !strncmp(spec, "tracepoint", 10)) p->kind = PROBE_TRACEPOINT;
  else return -1;
  char *rest = strdup(colon + 1);
  char *last = strrchr(rest, ':');
  if (!last || last == rest || !last[1]) { free(rest); return -1; }
  *last = '\0';
  p->b = last + 1;
  if (names == 2) {
    char *mid = strrchr(rest, ':');
    if (!mid || mid == rest || !mid[1]) { free(rest); return -1; }
    *mid = '\0';
    p->a = mid + 1;
  }
  p->target = rest;
  return 0;
}

static struct bpf_program *program_for(const struct probe *p, int stop) {
  switch (p->kind) {
  case PROBE_USDT: return stop ? skel->progs.win_stop_usdt : skel->progs.win_start_usdt;
  case PROBE_UPROBE:
  case PROBE_URETPROBE: return stop ? skel->progs.win_stop_uprobe : skel->progs.win_start_uprobe;
  default: return stop ? skel->progs.win_stop_tp : skel->progs.win_start_tp;
  }
}

/* Before load: only the two programs the probes need are loaded. */
void win_configure(const struct win_opts *w) {
  bpf_program__set_autoload(skel->progs.win_start_usdt, 0);
  bpf_program__set_autoload(skel->progs.win_stop_usdt, 0);
  bpf_program__set_autoload(skel->progs.win_start_uprobe, 0);
  bpf_program__set_autoload(skel->progs.win_stop_uprobe, 0);
  bpf_program__set_autoload(skel->progs.win_start_tp, 0);
  bpf_program__set_autoload(skel->progs.win_stop_tp, 0);
  if (!w->on) return;
  skel->rodata->windows = w->per_process ? 2 : 1;
  skel->rodata->win_min = w->min_ns;
  bpf_program__set_autoload(program_for(&w->start, 0), 1);
  bpf_program__set_autoload(program_for(&w->stop, 1), 1);
}

static struct bpf_link *attach_probe(struct bpf_program *prog, const struct probe *p) {
  if (p->kind == PROBE_USDT) return bpf_program__attach_usdt(prog, -1, p->target, p->a, p->b, NULL);
  if (p->kind == PROBE_TRACEPOINT) return bpf_program__attach_tracepoint(prog, p->target, p->b);
  LIBBPF_OPTS(bpf_uprobe_opts, o, .func_name = p->b, .retprobe = p->kind == PROBE_URETPROBE);
  return bpf_program__attach_uprobe_opts(prog, -1, p->target, 0, &o);
}

static const char *KIND_NAMES[] = {"usdt", "uprobe", "uretprobe", "tracepoint"};

/* After load. The stop probe first: a window opened before its stop is attached never closes. */
void win_attach(const struct win_opts *w) {
  if (!w->on) return;
  const struct probe *ps[2] = {&w->stop, &w->start};
  for (int i = 0; i < 2; i++) {
    struct bpf_program *prog = program_for(ps[i], i == 0);
    struct bpf_link *l = attach_probe(prog, ps[i]);
    if (!l) {
      die("cannot attach the window %s probe %s:%s:%s%s%s: %s", i == 0 ? "stop" : "start", KIND_NAMES[ps[i]->kind],
          ps[i]->target, ps[i]->a ? ps[i]->a : "", ps[i]->a ? ":" : "", ps[i]->b, strerror(errno));
    }
    /* Kept in the skeleton's link slots, so destroying it detaches them. */
    if (prog == skel->progs.win_start_usdt) skel->links.win_start_usdt = l;
    else if (prog == skel->progs.win_stop_usdt) skel->links.win_stop_usdt = l;
    else if (prog == skel->progs.win_start_uprobe) skel->links.win_start_uprobe = l;
    else if (prog == skel->progs.win_stop_uprobe) skel->links.win_stop_uprobe = l;
    else if (prog == skel->progs.win_start_tp) skel->links.win_start_tp = l;
    else skel->links.win_stop_tp = l;
  }
}

static uint64_t misc_max_reset(uint32_t k) {
  uint64_t *pc = calloc(ncpu, 8), *zeros = calloc(ncpu, 8), m = 0;
  int fd = bpf_map__fd(skel->maps.misc);
  if (!bpf_map_lookup_elem(fd, &k, pc))
    for (int c = 0; c < ncpu; c++) if (pc[c] > m) m = pc[c];
  bpf_map_update_elem(fd, &k, zeros, BPF_ANY);
  free(pc);
  free(zeros);
  return m;
}

/* {"map":"win","count":N,"total":ns,"max":ns,"short":N,"lost":N,"d":[ns,...]}: since the previous dump. */
void dump_win(void) {
  static uint64_t prev[4];
  uint64_t cur[4] = {misc_sum(8), misc_sum(9), misc_sum(10), misc_sum(11)};
  printf("{\"map\":\"win\",\"count\":%llu,\"total\":%llu,\"max\":%llu,\"short\":%llu,\"lost\":%llu,\"d\":[",
         (unsigned long long)(cur[0] - prev[0]), (unsigned long long)(cur[1] - prev[1]), (unsigned long long)misc_max_reset(12),
         (unsigned long long)(cur[2] - prev[2]), (unsigned long long)(cur[3] - prev[3]));
  memcpy(prev, cur, sizeof prev);
  int fd = bpf_map__fd(skel->maps.win_log);
  uint64_t d;
  for (int first = 1; bpf_map_lookup_and_delete_elem(fd, NULL, &d) == 0; first = 0)
    printf("%s%llu", first ? "" : ",", (unsigned long long)d);
  fputs("]}\n", stdout);
}

/* For doctor: whether a uprobe attaches here, tried on this program's own function. */
__attribute__((noinline)) void kdelta_uprobe_target(void) { __asm__ volatile("" ::: "memory"); }

int check_uprobe(void) {
  LIBBPF_OPTS(bpf_uprobe_opts, o, .func_name = "kdelta_uprobe_target");
  struct bpf_link *l = bpf_program__attach_uprobe_opts(skel->progs.win_start_uprobe, 0, "/proc/self/exe", 0, &o);
  if (!l) {
    printf("{\"uprobe\":false,\"error\":\"%s\"}\n", strerror(errno));
    return 1;
  }
  kdelta_uprobe_target();
  bpf_link__destroy(l);
  printf("{\"uprobe\":true}\n");
  return 0;
}
