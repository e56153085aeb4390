// SPDX-License-Identifier: GPL-2.0
#ifndef KDELTA_RUN_H
#define KDELTA_RUN_H

// An on-CPU period [from, to) of t on this CPU (oc, with its side) that counts, d ns long: the
// side's run count and time, the group's run time and its timeline slots (the workload's only).
// A thread renamed while on the CPU (prctl, exec) counts under its name at the period's end in
// the timeline, as its run time does. Used at switch-out and when a window closes.
static __always_inline void count_run(struct task_struct *t, struct oncpu *oc, __u64 from, __u64 to, __u64 d)
{
	struct run_stat *r = bpf_map_lookup_elem(&run, &oc->side);
	if (r) {
		r->count++;
		r->ns += d;
	}
	if (oc->side)
		return;
	if (threads)
		grp_add(t, GK_RUN, 0, d);
	if (!timeline)
		return;
	__u64 *name = (__u64 *)t->comm;
	if (name[0] != oc->comm[0] || name[1] != oc->comm[1]) {
		struct task_state *s = bpf_task_storage_get(&tstate, t, 0, 0);
		int slot = rd_slot_of(t, s, 0);
		oc->grp = slot >= 0 ? slot : RD_SLOTS;
		oc->comm[0] = name[0];
		oc->comm[1] = name[1];
	}
	if (oc->grp < RD_SLOTS)
		tl_run(oc->grp, from, to);
}

#endif
