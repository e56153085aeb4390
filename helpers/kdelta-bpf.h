/* kdelta-bpf: what the loader's parts share (the skeleton, the layout of the maps' values). */
#ifndef KDELTA_BPF_H
#define KDELTA_BPF_H

#include <stddef.h>
#include <stdint.h>
#include "kdelta.skel.h"

#define NSYS 512
#define NB 256
#define RD_NB 256
#define NIRQ 1024
#define NSOFT 16
#define NADMIT 8
#define NADMIT_SVC 2
#define TL_SLOTS 4096
#define RD_SLOTS 256
#define NSIDES_MAX 2

struct sys_stat { uint64_t count, sum; };
struct irq_stat { uint64_t count, total, wcount, wtotal; };
struct rd_key { char comm[16]; uint32_t side; };
struct rd_val { uint64_t count, total, max; uint32_t b[RD_NB]; };
struct grp_key { char comm[16]; uint32_t kind, id; };
struct grp_val { uint64_t count, total, max, min; };
struct tl_key { uint32_t grp, slot; };
struct tl_val { uint64_t on_ns, switches; };

extern int ncpu;
/* Sides the per-side maps are sized for (--sides): 1, or 2 when a service is admitted too. */
extern int nsides;
extern struct kdelta *skel;
extern volatile uint64_t *hist_mem;
/* rd through mmap: RD_SLOTS values per CPU; what the previous dump read of each. */
extern volatile struct rd_val *rd_mem;
extern struct rd_val *prev_rd;
/* tl_ready through mmap: TL_SLOTS values per CPU; what the previous dump read. */
extern volatile uint64_t *tl_ready_mem;
extern uint64_t *prev_tl_ready;
extern uint64_t *prev_hist, *prev_stat, *prev_hard, *prev_soft;

/* What the command line asked for. */
struct want {
  int sys, rd, irq, threads, timeline, empty, win;
};

enum probe_kind { PROBE_USDT, PROBE_UPROBE, PROBE_URETPROBE, PROBE_TRACEPOINT };
/* target: the binary (the tracepoint's system); a: the USDT provider; b: the name or function. */
struct probe {
  enum probe_kind kind;
  char *target, *a, *b;
};
struct win_opts {
  int on, per_process;
  uint64_t min_ns;
  struct probe start, stop;
};
int parse_probe(const char *spec, struct probe *p);
void win_configure(const struct win_opts *w);
void win_attach(const struct win_opts *w);
void dump_win(void);
int check_uprobe(void);

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
uint64_t now_ns(void);
void json_str(const char *s, size_t n);
uint64_t misc_sum(uint32_t k);

/* Called once per element taken out of a per-CPU hash: its key and its ncpu values, `vsz` bytes apart. */
typedef void (*fold_fn)(const void *key, const uint8_t *vals, size_t vsz, void *ctx);
/* Takes every element out of the per-CPU hash `fd` (lookup-and-delete in batches), folding each. */
void drain_percpu_hash(int fd, size_t ksz, size_t vsz, fold_fn fold, void *ctx);
int read_percpu_array(int fd, uint32_t n, uint32_t words, uint64_t *sum, uint64_t *maxv);

/* calibration: the capture's own cost per syscall and per switch, measured in cgroup `cg`. */
struct calib {
  int ok;
  double untraced[2], traced[2];
};
void calibrate_begin(const char *cg);
void calibrate_and_attach(struct calib *out);

void dump_sys(void);
void dump_rd(void);
void dump_run(void);
void dump_grp(void);
void dump_irq(const char *name, int fd, uint32_t n, uint64_t *prev);
void dump_tl(void);
/* The thread name and side of each rd slot (names[slot], empty where none), from the rd_slot map. */
void rd_names(char (*names)[16], uint32_t *sides);
void dump(const struct want *w);
void dump_reset(void);

#endif
