// SPDX-License-Identifier: GPL-2.0
#ifndef KDELTA_ADMIT_H
#define KDELTA_ADMIT_H

// The cgroup filter every kdelta BPF object applies: a task counts when its cgroup v2 id is
// one the loader admitted. Needs NADMIT, NADMIT_SVC and the `admitted` array defined before it.
//
// Each admitted cgroup is on a side, given by the slot its id sits in: the service's ids take
// the last NADMIT_SVC slots (side 1, the scenario's service), the others are the repetition's
// workload (side 0, the driver). The hot programs test the workload's slots, then the
// service's, and run their body once per side with the side a constant, so a miss costs what
// it did before sides (a load and a compare per slot) and the workload's path adds nothing. A
// side returned as a value, or loaded from an array beside the ids, made clang set it before
// every compare (BPF has no conditional move) or OR the compares together: longer on every
// miss, which every system call of every task on the machine takes.
//
// Pointer walks start from an untrusted copy of the task pointer (bpf_rdonly_cast, which the
// verifier turns into a plain move): for every load of a pointer field from a trusted pointer,
// the verifier looks for names like "css_set__safe_rcu" among every type of the kernel's BTF, a
// linear search up to four times per load and per path it explores. That was a third of the
// loader's start-up. The loads stay the same instructions, fault-safe, at the same cost per run.
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

static __always_inline struct task_struct *walkable(struct task_struct *t)
{
	return bpf_rdonly_cast(t, bpf_core_type_id_kernel(struct task_struct));
}

static __always_inline __u64 cgid_of(struct task_struct *t)
{
	return walkable(t)->cgroups->dfl_cgrp->kn->id;
}

// Chains of compares and branches (the bounds are literals: #pragma unroll runs before inlining).
static __always_inline bool is_workload(__u64 id)
{
#pragma unroll
	for (int i = 0; i < NADMIT - NADMIT_SVC; i++)
		if (admitted[i] == id)
			return true;
	return false;
}

static __always_inline bool is_service(__u64 id)
{
#pragma unroll
	for (int i = NADMIT - NADMIT_SVC; i < NADMIT; i++)
		if (admitted[i] == id)
			return true;
	return false;
}

static __always_inline bool is_admitted(__u64 id)
{
#pragma unroll
	for (int i = 0; i < NADMIT; i++)
		if (admitted[i] == id)
			return true;
	return false;
}

// 0, 1, or -1 when not admitted: for the paths that are not hot.
static __always_inline int side_of(__u64 id)
{
	return is_workload(id) ? 0 : is_service(id) ? 1 : -1;
}

#endif
