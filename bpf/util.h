// SPDX-License-Identifier: GPL-2.0
#ifndef KDELTA_UTIL_H
#define KDELTA_UTIL_H

#include "admit.h"

// Per-thread-group accounting shared by the programs.
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

// The slot of t's name on its side: cached in its storage while its name and side stay the same
// (exec and prctl(PR_SET_NAME) change the name, a move to another cgroup the side), else looked
// up by (name, side) or handed out. -1 when all are taken.
static __always_inline int rd_slot_of(struct task_struct *t, struct task_state *s, __u32 side)
{
	struct rd_key key = {};
	__builtin_memcpy(key.comm, t->comm, sizeof(key.comm));
	key.side = side;
	__u64 *now = (__u64 *)key.comm;
	if (s && s->rd_slot && s->rd_comm[0] == now[0] && s->rd_comm[1] == now[1] && s->rd_side == side)
		return s->rd_slot - 1;
	__u32 *found = bpf_map_lookup_elem(&rd_slot, &key);
	__u32 slot;
	if (found) {
		slot = *found;
	} else {
		slot = __sync_fetch_and_add(&rd_next, 1);
		if (slot >= RD_SLOTS || bpf_map_update_elem(&rd_slot, &key, &slot, BPF_NOEXIST)) {
			// Another CPU may have inserted the name first: take its slot.
			found = bpf_map_lookup_elem(&rd_slot, &key);
			if (!found)
				return -1;
			slot = *found;
		}
	}
	if (s) {
		s->rd_slot = slot + 1;
		s->rd_side = side;
		s->rd_comm[0] = now[0];
		s->rd_comm[1] = now[1];
	}
	return slot;
}

#endif
