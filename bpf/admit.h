// SPDX-License-Identifier: GPL-2.0
#ifndef KDELTA_ADMIT_H
#define KDELTA_ADMIT_H

// The cgroup filter every kdelta BPF object applies: a task counts when its cgroup v2 id is
// one the loader admitted. Needs NADMIT and the `admitted` and `admitted_side` arrays defined
// before it.
static __always_inline __u64 cgid_of(struct task_struct *t)
{
	return t->cgroups->dfl_cgrp->kn->id;
}

// The side of an admitted cgroup (0: the repetition's workload, the driver; 1: the scenario's
// service), -1 when it is not admitted. A miss costs what it did before sides (the ids only);
// a hit adds one byte load from the same .bss.
static __always_inline int side_of(__u64 id)
{
#pragma unroll
	for (int i = 0; i < NADMIT; i++)
		if (admitted[i] == id)
			return admitted_side[i];
	return -1;
}

// For callers that do not care about the side: the compiler drops the side's load.
static __always_inline bool is_admitted(__u64 id)
{
	return side_of(id) >= 0;
}

#endif
