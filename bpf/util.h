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

#endif
