// SPDX-License-Identifier: GPL-2.0
// kdelta's in-kernel capture: syscall latency, run-queue (ready) delay and IRQ time of the
// workload cgroups, built CO-RE against the running kernel's BTF and attached as tp_btf.
//
// Why this shape (costs measured on a null syscall pinned to one CPU of a 2-CPU VM):
// - tp_btf instead of classic tracepoints: the classic path copies the event into a
//   buffer first (about 0.4x of the untraced call more).
// - The cgroup id is read through BTF pointers (task->cgroups->dfl_cgrp->kn->id) and compared
//   with a few ids in .bss that the loader writes through mmap: no helper, no map lookup.
// - Per-task state lives in task-local storage, which the kernel frees with the task: no
//   tid-keyed hash (an update there costs about 60 ns more), no delete on exit, no leak.
// - Counters are per-CPU arrays: no atomics, lookups inlined by the verifier.
// - The exit path reads the clock before any map operation, so a latency does not include
//   the bookkeeping of its own measurement.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define NSYS 512
#define NB 256
#define RD_NB 256
#define NIRQ 1024
#define NSOFT 16
#define NADMIT 8

char LICENSE[] SEC("license") = "GPL";

// Set by the loader before load.
const volatile __u32 sample = 1;
// Per-thread-group accounting (syscalls, run time, interrupts keyed by comm) on or off.
const volatile __u8 threads = 0;
// Where the workload ran over time: per (comm, 10 ms slot) and CPU, on-CPU ns and switches in.
const volatile __u8 timeline = 0;
const volatile __u8 sys_traced[NSYS] = {};

// Written by the loader at run time (mmapped .bss): the admitted cgroup ids (0 = free slot).
__u64 admitted[NADMIT] = {};
// When the repetition started (bpf_ktime_get_ns clock), written with the admitted ids.
__u64 t0 = 0;

struct task_state {
	__u64 sys_start;
	__u64 rq_start;
	__u32 sys_id;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_state);
} tstate SEC(".maps");

struct sys_stat {
	__u64 count; // calls entered (every call, in both modes)
	__u64 sum;   // ns of the timed calls
};

// Largest timed call per syscall since the last dump: the loader zeroes it after reading, so it
// lives apart from the cumulative counters, which are never written from user space.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSYS);
	__type(key, __u32);
	__type(value, __u64);
} sys_max SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSYS);
	__type(key, __u32);
	__type(value, struct sys_stat);
} sys_stats SEC(".maps");

// One (syscall, bucket) counter block per CPU in one plain array (the loader sizes it to the
// possible CPUs and reads it through mmap): a per-CPU array of 131072 elements took 0.2 s to
// create, one allocation per element. A program does not race itself on one CPU.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, NSYS * NB);
	__type(key, __u32);
	__type(value, __u64);
} sys_hist SEC(".maps");

struct rd_key {
	char comm[16];
};

struct rd_val {
	__u64 count;
	__u64 total;
	__u64 max;
	__u32 b[RD_NB];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	// Not preallocated: 4096 x 1 KiB x CPUs took 0.3 s to create at every start.
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);
	__type(key, struct rd_key);
	__type(value, struct rd_val);
} rd SEC(".maps");

// A zero rd_val to insert from: the BPF stack (512 bytes) cannot hold one.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rd_val);
} rd_zero SEC(".maps");

struct irq_stat {
	__u64 count;
	__u64 total;
	__u64 wcount;
	__u64 wtotal;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NIRQ);
	__type(key, __u32);
	__type(value, struct irq_stat);
} hard SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSOFT);
	__type(key, __u32);
	__type(value, struct irq_stat);
} soft SEC(".maps");

// Per thread group (comm) and kind: a syscall (id = its number), a hard IRQ (id = its number),
// a softirq (id = its vector) or the on-CPU run time (id 0).
#define GK_SYS 0
#define GK_HARD 1
#define GK_SOFT 2
#define GK_RUN 3
struct grp_key {
	char comm[16];
	__u32 kind;
	__u32 id;
};

struct grp_val {
	__u64 count;
	__u64 total;
	__u64 max;
	__u64 min;
};

// Preallocated: an element allocated on demand in sched_switch can fail (the allocator's
// per-CPU cache is refilled later, from irq_work), which showed as lost updates.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct grp_key);
	__type(value, struct grp_val);
} grp SEC(".maps");

// Who is on this CPU since when, if it is a workload task: per CPU, not in task storage, whose
// lookups fail while another program holds it on the CPU; two lost events in a row would then
// join a task's on-CPU periods across the time it was off the CPU.
struct oncpu {
	__u64 start;
	__u32 pid;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct oncpu);
} oncpu SEC(".maps");

#define TL_SLOT_NS 10000000ULL
#define TL_SLOTS 4096
// A period longer than this many slots puts its rest in the slot where it ended.
#define TL_SPLIT 64

struct tl_key {
	char comm[16];
	__u32 slot;
	__u32 pad;
};

struct tl_val {
	__u64 on_ns;
	__u64 switches;
};

// Per CPU on purpose: the value of the CPU that ran the program is the CPU the task ran on.
// Preallocated, as grp is.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct tl_key);
	__type(value, struct tl_val);
} tl SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TL_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} tl_ready SEC(".maps");

// [0] hard IRQ start, [1] softirq start, [2] ready-delay updates dropped (map full),
// [3] thread-group updates dropped (map full), [4] run periods, [5] run ns (the workload's),
// [6] timeline updates dropped (map full or slot past the end).
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} misc SEC(".maps");

static __always_inline __u64 cgid_of(struct task_struct *t)
{
	return t->cgroups->dfl_cgrp->kn->id;
}

static __always_inline bool is_admitted(__u64 id)
{
#pragma unroll
	for (int i = 0; i < NADMIT; i++)
		if (admitted[i] == id)
			return true;
	return false;
}

static __always_inline void bump(__u32 slot, __u64 by)
{
	__u64 *v = bpf_map_lookup_elem(&misc, &slot);
	if (v)
		*v += by;
}

// The entry of (comm of t, kind, id), created when missing; NULL when the map is full (counted).
static __always_inline struct grp_val *grp_of(struct task_struct *t, __u32 kind, __u32 id)
{
	struct grp_key key = {};
	__builtin_memcpy(key.comm, t->comm, sizeof(key.comm));
	key.kind = kind;
	key.id = id;
	struct grp_val *v = bpf_map_lookup_elem(&grp, &key);
	if (v)
		return v;
	struct grp_val zero = {};
	bpf_map_update_elem(&grp, &key, &zero, BPF_NOEXIST);
	v = bpf_map_lookup_elem(&grp, &key);
	if (!v)
		bump(3, 1);
	return v;
}

static __always_inline __u32 slot_of(__u64 t)
{
	return t > t0 ? (t - t0) / TL_SLOT_NS : 0;
}

static __always_inline void tl_add(struct task_struct *t, __u32 slot, __u64 on, __u64 sw)
{
	if (slot >= TL_SLOTS) {
		bump(6, 1);
		return;
	}
	struct tl_key key = {};
	__builtin_memcpy(key.comm, t->comm, sizeof(key.comm));
	key.slot = slot;
	struct tl_val *v = bpf_map_lookup_elem(&tl, &key);
	if (!v) {
		struct tl_val zero = {};
		bpf_map_update_elem(&tl, &key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&tl, &key);
		if (!v) {
			bump(6, 1);
			return;
		}
	}
	v->on_ns += on;
	v->switches += sw;
}

// The on-CPU period [from, to) of t, split at slot boundaries.
static __always_inline void tl_run(struct task_struct *t, __u64 from, __u64 to)
{
	for (int i = 0; i < TL_SPLIT && from < to; i++) {
		__u32 slot = slot_of(from);
		__u64 end = t0 + (__u64)(slot + 1) * TL_SLOT_NS;
		if (end > to || i == TL_SPLIT - 1)
			end = to;
		tl_add(t, slot, end - from, 0);
		from = end;
	}
}

static __always_inline void grp_add(struct task_struct *t, __u32 kind, __u32 id, __u64 d)
{
	struct grp_val *v = grp_of(t, kind, id);
	if (!v)
		return;
	v->count++;
	v->total += d;
	if (d > v->max)
		v->max = d;
	if (v->min == 0 || d < v->min)
		v->min = d;
}

// The log-linear key of src/metrics/histogram.ts: e = floor(log2 v), 8 sub-buckets per power of two.
static __always_inline __u32 bucket_of(__u64 v)
{
	if (v < 8)
		return v;
	__u64 x = v;
	__u32 e = 0;
	if (x >= (1ULL << 32)) { x >>= 32; e += 32; }
	if (x >= (1ULL << 16)) { x >>= 16; e += 16; }
	if (x >= (1ULL << 8)) { x >>= 8; e += 8; }
	if (x >= (1ULL << 4)) { x >>= 4; e += 4; }
	if (x >= (1ULL << 2)) { x >>= 2; e += 2; }
	if (x >= (1ULL << 1)) { e += 1; }
	return (e << 3) + ((v >> (e - 3)) & 7);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *t = bpf_get_current_task_btf();
	if (!is_admitted(cgid_of(t)))
		return 0;
	__u32 k = (__u32)id;
	if (k >= NSYS || !sys_traced[k])
		return 0;
	struct sys_stat *st = bpf_map_lookup_elem(&sys_stats, &k);
	if (st)
		st->count++;
	if (threads) {
		struct grp_val *g = grp_of(t, GK_SYS, k);
		if (g)
			g->count++;
	}
	if (sample > 1) {
		__u32 r = bpf_get_prandom_u32();
		if ((sample & (sample - 1)) == 0 ? (r & (sample - 1)) != 0 : (r % sample) != 0)
			return 0;
	}
	struct task_state *s = bpf_task_storage_get(&tstate, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s)
		return 0;
	s->sys_id = k;
	s->sys_start = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	__u64 now = bpf_ktime_get_ns();
	struct task_struct *t = bpf_get_current_task_btf();
	// Only a timed call of an admitted task has a start: no cgroup test needed here.
	struct task_state *s = bpf_task_storage_get(&tstate, t, 0, 0);
	if (!s || !s->sys_start)
		return 0;
	__u64 d = now - s->sys_start;
	__u32 k = s->sys_id;
	s->sys_start = 0;
	if (k >= NSYS)
		return 0;
	struct sys_stat *st = bpf_map_lookup_elem(&sys_stats, &k);
	if (st)
		st->sum += d;
	__u64 *mx = bpf_map_lookup_elem(&sys_max, &k);
	if (mx && d > *mx)
		*mx = d;
	if (threads) {
		struct grp_val *g = grp_of(t, GK_SYS, k);
		if (g) {
			g->total += d;
			if (d > g->max)
				g->max = d;
		}
	}
	__u32 b = bucket_of(d);
	if (b >= NB)
		b = NB - 1;
	__u32 hk = bpf_get_smp_processor_id() * (NSYS * NB) + k * NB + b;
	__u64 *c = bpf_map_lookup_elem(&sys_hist, &hk);
	if (c)
		(*c)++;
	return 0;
}

static __always_inline void queued(struct task_struct *p, __u64 now)
{
	if (p->pid == 0 || !is_admitted(cgid_of(p)))
		return;
	struct task_state *s = bpf_task_storage_get(&tstate, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (s)
		s->rq_start = now;
}

// sched_wakeup (the enqueue, as the kernel's schedstat run_delay counts it) runs in the waker's
// context: the filter is on the woken task p, not on the current task.
SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup, struct task_struct *p)
{
	queued(p, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new, struct task_struct *p)
{
	queued(p, bpf_ktime_get_ns());
	return 0;
}

static __always_inline void account_rd(struct task_struct *next, __u64 d)
{
	struct rd_key key = {};
	__builtin_memcpy(key.comm, next->comm, sizeof(key.comm));
	struct rd_val *v = bpf_map_lookup_elem(&rd, &key);
	if (!v) {
		__u32 z = 0;
		struct rd_val *zero = bpf_map_lookup_elem(&rd_zero, &z);
		if (!zero)
			return;
		if (bpf_map_update_elem(&rd, &key, zero, BPF_NOEXIST) && bpf_map_lookup_elem(&rd, &key) == NULL) {
			__u32 lk = 2;
			__u64 *lost = bpf_map_lookup_elem(&misc, &lk);
			if (lost)
				(*lost)++;
			return;
		}
		v = bpf_map_lookup_elem(&rd, &key);
		if (!v)
			return;
	}
	v->count++;
	v->total += d;
	if (d > v->max)
		v->max = d;
	__u32 b = bucket_of(d);
	if (b >= RD_NB)
		b = RD_NB - 1;
	v->b[b & (RD_NB - 1)]++;
}

// A task switched out while still runnable waits from now: a preemption (whatever prev_state
// says) or prev_state 0. The idle task (pid 0) is skipped on both sides.
SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 zero = 0;
	struct oncpu *oc = bpf_map_lookup_elem(&oncpu, &zero);
	if (!oc)
		return 0;
	if (prev->pid != 0 && is_admitted(cgid_of(prev))) {
		struct task_state *ps = bpf_task_storage_get(&tstate, prev, 0, 0);
		if (oc->pid == prev->pid && oc->start) {
			__u64 ran = now - oc->start;
			bump(4, 1);
			bump(5, ran);
			if (threads)
				grp_add(prev, GK_RUN, 0, ran);
			if (timeline)
				tl_run(prev, now - ran, now);
		}
		if (preempt || prev_state == 0) {
			queued(prev, now);
		} else if (ps) {
			ps->rq_start = 0;
		}
	}
	oc->pid = 0;
	oc->start = 0;
	if (next->pid == 0 || !is_admitted(cgid_of(next)))
		return 0;
	oc->pid = next->pid;
	oc->start = now;
	if (timeline)
		tl_add(next, slot_of(now), 0, 1);
	struct task_state *s = bpf_task_storage_get(&tstate, next, 0, 0);
	if (!s || !s->rq_start)
		return 0;
	__u64 d = now - s->rq_start;
	s->rq_start = 0;
	account_rd(next, d);
	if (timeline) {
		__u32 slot = slot_of(now);
		__u64 *r = slot < TL_SLOTS ? bpf_map_lookup_elem(&tl_ready, &slot) : NULL;
		if (r)
			*r += d;
	}
	return 0;
}

static __always_inline void irq_start(__u32 slot)
{
	__u64 *st = bpf_map_lookup_elem(&misc, &slot);
	if (st)
		*st = bpf_ktime_get_ns();
}

static __always_inline void irq_end(__u32 slot, void *map, __u32 key, __u32 kind)
{
	__u64 now = bpf_ktime_get_ns();
	__u64 *st = bpf_map_lookup_elem(&misc, &slot);
	if (!st || !*st)
		return;
	__u64 d = now - *st;
	// Zeroed so an exit whose entry was skipped (BPF recursion guard) pairs with nothing.
	*st = 0;
	struct irq_stat *v = bpf_map_lookup_elem(map, &key);
	if (!v)
		return;
	v->count++;
	v->total += d;
	// In an interrupt the current task is the interrupted one.
	struct task_struct *cur = bpf_get_current_task_btf();
	if (is_admitted(cgid_of(cur))) {
		v->wcount++;
		v->wtotal += d;
		if (threads)
			grp_add(cur, kind, key, d);
	}
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(irq_handler_entry, int irq, struct irqaction *action)
{
	irq_start(0);
	return 0;
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(irq_handler_exit, int irq, struct irqaction *action, int ret)
{
	// Shared lines call every handler: only the one that handled it counts.
	if (ret == 0) {
		__u32 slot = 0;
		__u64 *st = bpf_map_lookup_elem(&misc, &slot);
		if (st)
			*st = 0;
		return 0;
	}
	irq_end(0, &hard, irq >= 0 && irq < NIRQ ? irq : NIRQ - 1, GK_HARD);
	return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(softirq_entry, unsigned int vec)
{
	irq_start(1);
	return 0;
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(softirq_exit, unsigned int vec)
{
	irq_end(1, &soft, vec < NSOFT ? vec : NSOFT - 1, GK_SOFT);
	return 0;
}

// The floor for bench:overhead: attached, filtered on the cgroup, doing nothing else.
SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_empty, struct pt_regs *regs, long id)
{
	return is_admitted(cgid_of(bpf_get_current_task_btf())) ? 0 : 1;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_empty, struct pt_regs *regs, long ret)
{
	return is_admitted(cgid_of(bpf_get_current_task_btf())) ? 0 : 1;
}
