// SPDX-License-Identifier: GPL-2.0
#ifndef KDELTA_TIMELINE_H
#define KDELTA_TIMELINE_H

// Where the workload ran over time (collect.ebpf.timeline).
#define TL_SLOT_NS 10000000ULL
#define TL_SLOTS 4096
// A period longer than this many slots puts its rest in the slot where it ended.
#define TL_SPLIT 64

// grp: the thread name's rd slot (sched.h), so the key is 8 bytes and needs no name copy.
struct tl_key {
	__u32 grp;
	__u32 slot;
};

struct tl_val {
	__u64 on_ns;
	__u64 switches;
};

// Per CPU on purpose: the value of the CPU that ran the program is the CPU the task ran on.
// Preallocated, as grp is: allocated on demand in sched_switch, 50 of a 3 s run's inserts
// failed (the allocator's per-CPU cache is refilled later, from irq_work).
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct tl_key);
	__type(value, struct tl_val);
} tl SEC(".maps");

// Ready delay per slot: TL_SLOTS values per CPU in one plain array, element cpu * TL_SLOTS +
// slot (the loader sizes it to the possible CPUs and reads it through mmap): a per-CPU array
// allocates every element apart, which took tens of ms at every start.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, TL_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} tl_ready SEC(".maps");

static __always_inline __u32 slot_of(__u64 t)
{
	return t > t0 ? (t - t0) / TL_SLOT_NS : 0;
}

static __always_inline void tl_add(__u32 grp, __u32 slot, __u64 on, __u64 sw)
{
	if (slot >= TL_SLOTS) {
		bump(6, 1);
		return;
	}
	struct tl_key key = {.grp = grp, .slot = slot};
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

struct tl_span {
	__u64 from;
	__u64 to;
	__u64 sw;
	__u32 grp;
	__u32 pad;
};

// One slot of a span: the part of [from, to) in from's slot (the rest of the span past the last
// step goes to the slot where it ended).
static long tl_step(__u64 i, void *ctx)
{
	struct tl_span *sp = ctx;
	__u32 slot = slot_of(sp->from);
	__u64 end = t0 + (__u64)(slot + 1) * TL_SLOT_NS;
	if (end > sp->to || i == TL_SPLIT - 1)
		end = sp->to;
	tl_add(sp->grp, slot, end > sp->from ? end - sp->from : 0, sp->sw);
	sp->sw = 0;
	sp->from = end;
	return sp->from >= sp->to ? 1 : 0;
}

// The on-CPU period [from, to) of group grp, split at slot boundaries. Its switch-in is counted
// in the slot where it began, here at its end: one map update per switch instead of two.
// bpf_loop, not an unrolled loop: the verifier checks the step once instead of TL_SPLIT times,
// which was most of the timeline's cost at start-up.
static __always_inline void tl_run(__u32 grp, __u64 from, __u64 to)
{
	struct tl_span sp = {.from = from, .to = to, .sw = 1, .grp = grp};
	bpf_loop(TL_SPLIT, tl_step, &sp, 0);
}

#endif
