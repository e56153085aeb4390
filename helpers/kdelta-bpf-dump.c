/* kdelta-bpf: the `dump` command, one JSON line per map (the format src/collect/bpf/dump.ts parses). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kdelta-bpf.h"

volatile uint64_t *hist_mem;
volatile struct rd_val *rd_mem;
struct rd_val *prev_rd;
volatile uint64_t *tl_ready_mem;
uint64_t *prev_tl_ready;
uint64_t *prev_hist, *prev_stat, *prev_hard, *prev_soft;
static uint64_t dumps;

/* One row of syscall slot `id` (side * NSYS + number): the number, then the side last. */
static void print_sys_row(uint32_t id, uint64_t dc, uint64_t ds, uint64_t mx, const uint64_t *hist, int first) {
  uint64_t timed = 0;
  for (int b = 0; b < NB; b++) timed += hist[id * NB + b] - prev_hist[id * NB + b];
  printf("%s[%u,%llu,%llu,%llu,%llu,[", first ? "" : ",", id % NSYS, (unsigned long long)dc, (unsigned long long)timed,
         (unsigned long long)ds, (unsigned long long)mx);
  int bf = 1;
  for (int b = 0; b < NB; b++) {
    uint64_t d = hist[id * NB + b] - prev_hist[id * NB + b];
    if (!d) continue;
    printf("%s%d,%llu", bf ? "" : ",", b, (unsigned long long)d);
    bf = 0;
  }
  printf("],%u]", id / NSYS);
}

/* Prints `"lost":N}` for misc slot `k`, the change since the previous call with the same `prev`. */
static void print_lost(uint32_t k, uint64_t *prev) {
  uint64_t lost = misc_sum(k);
  printf("],\"lost\":%llu}\n", (unsigned long long)(lost - *prev));
  *prev = lost;
}

void dump_sys(void) {
  static uint64_t prev_lost;
  static uint64_t stat[NSIDES_MAX * NSYS * 2], hist[NSIDES_MAX * NSYS * NB], mx[NSIDES_MAX * NSYS];
  const uint32_t nslot = (uint32_t)nsides * NSYS;
  read_percpu_array(bpf_map__fd(skel->maps.sys_stats), nslot, 2, stat, NULL);
  /* Only syscalls whose counters moved have histogram rows to read: a dump stays well under a
     millisecond with the 131072 counters per CPU. */
  for (uint32_t id = 0; id < nslot; id++) {
    if (stat[id * 2] == prev_stat[id * 2] && stat[id * 2 + 1] == prev_stat[id * 2 + 1]) continue;
    memset(hist + (size_t)id * NB, 0, NB * 8);
    for (int c = 0; c < ncpu; c++) {
      /* Side-major: every CPU's side-0 block, then every CPU's side-1 block. */
      const volatile uint64_t *blk = hist_mem + ((size_t)(id / NSYS) * ncpu + c) * NSYS * NB + (size_t)(id % NSYS) * NB;
      for (size_t b = 0; b < NB; b++) hist[(size_t)id * NB + b] += blk[b];
    }
  }
  read_percpu_array(bpf_map__fd(skel->maps.sys_max), nslot, 1, NULL, mx);
  int fd = bpf_map__fd(skel->maps.sys_max);
  uint64_t *zeros = calloc(ncpu, 8);
  fputs("{\"map\":\"sys\",\"rows\":[", stdout);
  int first = 1;
  for (uint32_t id = 0; id < nslot; id++) {
    uint64_t dc = stat[id * 2] - prev_stat[id * 2], ds = stat[id * 2 + 1] - prev_stat[id * 2 + 1];
    uint64_t timed = 0;
    for (int b = 0; b < NB; b++) timed += hist[id * NB + b] - prev_hist[id * NB + b];
    if (dc == 0 && timed == 0) continue;
    print_sys_row(id, dc, ds, mx[id], hist, first);
    first = 0;
    if (mx[id]) bpf_map_update_elem(fd, &id, zeros, BPF_ANY);
  }
  /* Timed calls whose time was lost: a switch the capture did not see, or task storage busy (misc slot 7, bpf/syscalls.h). */
  print_lost(7, &prev_lost);
  free(zeros);
  memcpy(prev_stat, stat, (size_t)nslot * 2 * 8);
  memcpy(prev_hist, hist, (size_t)nslot * NB * 8);
}

/* Ready delay of the (name, side) in `slot` since the previous dump: the CPUs' counters summed, buckets
   included, and the largest wait on any CPU (each CPU's max is zeroed once read: a wait that ends
   between the read and the zeroing is still counted, only its max is missed). */
static void print_rd_slot(const char *comm, uint32_t side, uint32_t slot, int *first) {
  struct rd_val sum = {0};
  for (int c = 0; c < ncpu; c++) {
    volatile struct rd_val *v = &rd_mem[(size_t)c * RD_SLOTS + slot];
    struct rd_val *p = &prev_rd[(size_t)c * RD_SLOTS + slot];
    uint64_t count = v->count, total = v->total, max = v->max;
    v->max = 0;
    sum.count += count - p->count;
    sum.total += total - p->total;
    if (max > sum.max) sum.max = max;
    p->count = count;
    p->total = total;
    for (int b = 0; b < RD_NB; b++) {
      uint32_t now = v->b[b];
      sum.b[b] += now - p->b[b];
      p->b[b] = now;
    }
  }
  if (!sum.count) return;
  fputs(*first ? "[" : ",[", stdout);
  *first = 0;
  json_str(comm, 16);
  printf(",%llu,%llu,%llu,[", (unsigned long long)sum.count, (unsigned long long)sum.total, (unsigned long long)sum.max);
  int bf = 1;
  for (int b = 0; b < RD_NB; b++) {
    if (!sum.b[b]) continue;
    printf("%s%d,%u", bf ? "" : ",", b, sum.b[b]);
    bf = 0;
  }
  printf("],%u]", side);
}

void dump_rd(void) {
  static uint64_t prev_lost;
  static char names[RD_SLOTS][16];
  static uint32_t sides[RD_SLOTS];
  int first = 1;
  fputs("{\"map\":\"rd\",\"rows\":[", stdout);
  rd_names(names, sides);
  for (uint32_t slot = 0; rd_mem && slot < RD_SLOTS; slot++)
    if (names[slot][0]) print_rd_slot(names[slot], sides[slot], slot, &first);
  print_lost(2, &prev_lost);
}

/* Each side's run periods and on-CPU ns since the previous dump (the `run` map, one row a side). */
void dump_run(void) {
  static uint64_t prev[NSIDES_MAX * 2];
  uint64_t cur[NSIDES_MAX * 2];
  if (read_percpu_array(bpf_map__fd(skel->maps.run), NSIDES_MAX, 2, cur, NULL)) memcpy(cur, prev, sizeof cur);
  for (int side = 0; side < nsides; side++)
    printf("{\"map\":\"run\",\"side\":%d,\"count\":%llu,\"total\":%llu}\n", side, (unsigned long long)(cur[side * 2] - prev[side * 2]),
           (unsigned long long)(cur[side * 2 + 1] - prev[side * 2 + 1]));
  memcpy(prev, cur, sizeof prev);
}

static void fold_grp(const void *key, const uint8_t *vals, size_t vsz, void *ctx) {
  int *first = ctx;
  const struct grp_key *k = key;
  struct grp_val sum = {0};
  for (int c = 0; c < ncpu; c++) {
    const struct grp_val *v = (const struct grp_val *)(vals + (size_t)c * vsz);
    sum.count += v->count;
    sum.total += v->total;
    if (v->max > sum.max) sum.max = v->max;
    if (v->min && (!sum.min || v->min < sum.min)) sum.min = v->min;
  }
  if (!sum.count && !sum.total) return;
  fputs(*first ? "[" : ",[", stdout);
  *first = 0;
  json_str(k->comm, sizeof k->comm);
  printf(",%u,%u,%llu,%llu,%llu,%llu]", k->kind, k->id, (unsigned long long)sum.count, (unsigned long long)sum.total,
         (unsigned long long)sum.max, (unsigned long long)sum.min);
}

/* Per thread group: taken out as read, like the ready-delay map. */
void dump_grp(void) {
  static uint64_t prev_lost;
  int first = 1;
  fputs("{\"map\":\"grp\",\"rows\":[", stdout);
  drain_percpu_hash(bpf_map__fd(skel->maps.grp), sizeof(struct grp_key), sizeof(struct grp_val), fold_grp, &first);
  print_lost(3, &prev_lost);
}

void dump_irq(const char *name, int fd, uint32_t n, uint64_t *prev) {
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

void rd_names(char (*names)[16], uint32_t *sides) {
  memset(names, 0, (size_t)RD_SLOTS * 16);
  if (sides) memset(sides, 0, (size_t)RD_SLOTS * sizeof *sides);
  int fd = bpf_map__fd(skel->maps.rd_slot);
  struct rd_key key, next;
  void *at = NULL;
  while (bpf_map_get_next_key(fd, at, &next) == 0) {
    uint32_t slot;
    if (bpf_map_lookup_elem(fd, &next, &slot) == 0 && slot < RD_SLOTS) {
      memcpy(names[slot], next.comm, 16);
      if (sides) sides[slot] = next.side;
    }
    key = next;
    at = &key;
  }
}

struct tl_ctx {
  int first;
  char names[RD_SLOTS][16];
};

static void fold_tl(const void *key, const uint8_t *vals, size_t vsz, void *ctx) {
  struct tl_ctx *t = ctx;
  const struct tl_key *k = key;
  if (k->grp >= RD_SLOTS) return;
  fputs(t->first ? "[" : ",[", stdout);
  t->first = 0;
  json_str(t->names[k->grp], 16);
  printf(",%u,[", k->slot);
  for (int c = 0; c < ncpu; c++) printf("%s%llu", c ? "," : "", (unsigned long long)((const struct tl_val *)(vals + (size_t)c * vsz))->on_ns);
  fputs("],[", stdout);
  for (int c = 0; c < ncpu; c++) printf("%s%llu", c ? "," : "", (unsigned long long)((const struct tl_val *)(vals + (size_t)c * vsz))->switches);
  fputs("]]", stdout);
}

/* Per (comm, slot): on-CPU ns and switches per CPU; ready delay per slot; both taken out as read. */
void dump_tl(void) {
  static uint64_t prev_lost;
  static struct tl_ctx t;
  t.first = 1;
  rd_names(t.names, NULL);
  fputs("{\"map\":\"tl\",\"rows\":[", stdout);
  drain_percpu_hash(bpf_map__fd(skel->maps.tl), sizeof(struct tl_key), sizeof(struct tl_val), fold_tl, &t);
  int first;
  fputs("],\"ready\":[", stdout);
  first = 1;
  for (uint32_t k = 0; tl_ready_mem && k < TL_SLOTS; k++) {
    uint64_t sum = 0;
    for (int c = 0; c < ncpu; c++) {
      size_t i = (size_t)c * TL_SLOTS + k;
      uint64_t now = tl_ready_mem[i];
      sum += now - prev_tl_ready[i];
      prev_tl_ready[i] = now;
    }
    if (!sum) continue;
    printf("%s%u,%llu", first ? "" : ",", k, (unsigned long long)sum);
    first = 0;
  }
  print_lost(6, &prev_lost);
}

void dump(const struct want *w) {
  if (w->sys) dump_sys();
  if (w->rd) { dump_rd(); dump_run(); }
  if (w->threads) dump_grp();
  if (w->timeline) dump_tl();
  if (w->irq) {
    dump_irq("hard", bpf_map__fd(skel->maps.hard), NIRQ, prev_hard);
    dump_irq("soft", bpf_map__fd(skel->maps.soft), NSOFT, prev_soft);
  }
  if (w->win) dump_win();
  printf("{\"end\":%llu}\n", (unsigned long long)dumps++);
  fflush(stdout);
}

void dump_reset(void) { dumps = 0; }
