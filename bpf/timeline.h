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

// The on-CPU period [from, to) of group grp, split at slot boundaries. Its switch-in is counted
// in the slot where it began, here at its end: one map update per switch instead of two.
static __always_inline void tl_run(__u32 grp, __u64 from, __u64 to)
{
	__u64 sw = 1;
	for (int i = 0; i < TL_SPLIT; i++) {
		__u32 slot = slot_of(from);
		__u64 end = t0 + (__u64)(slot + 1) * TL_SLOT_NS;
		if (end > to || i == TL_SPLIT - 1)
			end = to;
		tl_add(grp, slot, end > from ? end - from : 0, sw);
		sw = 0;
		from = end;
		if (from >= to)
			break;
	}
}

#endif
