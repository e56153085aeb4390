// SPDX-License-Identifier: GPL-2.0
#ifndef KDELTA_ADMIT_H
#define KDELTA_ADMIT_H

// The cgroup filter every kdelta BPF object applies: a task counts when its cgroup v2 id is
// one the loader admitted. Needs NADMIT and the `admitted` array defined before it.
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

#endif
