// SPDX-License-Identifier: GPL-2.0
#ifndef KDELTA_SYSCALLS_H
#define KDELTA_SYSCALLS_H

// Syscall counts and latencies, per side: slot side * NSYS + id in every syscall map. The entry
// runs once per side with the side a constant (admit.h), and the slot is kept in the task's
// storage for the exit. Thread groups (threads: true) are the workload's only.
static __always_inline void enter(struct task_struct *t, long id, __u32 side)
{
	if (windows && !in_window(t))
		return;
	__u32 k = (__u32)id;
	if (k >= NSYS || !sys_traced[k])
		return;
	__u32 slot = side * NSYS + k;
	struct sys_stat *st = bpf_map_lookup_elem(&sys_stats, &slot);
	if (st)
		st->count++;
	if (threads && !side) {
		struct grp_val *g = grp_of(t, GK_SYS, k);
		if (g)
			g->count++;
	}
	if (sample > 1) {
		__u32 r = bpf_get_prandom_u32();
		if ((sample & (sample - 1)) == 0 ? (r & (sample - 1)) != 0 : (r % sample) != 0)
			return;
	}
	struct task_state *s = bpf_task_storage_get(&tstate, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s)
		return;
	s->sys_id = slot;
	s->sys_hist_row = side * hist_side1 + k * NB;
	s->sys_start = bpf_ktime_get_ns();
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *t = bpf_get_current_task_btf();
	__u64 cg = cgid_of(t);
	if (is_workload(cg))
		enter(t, id, 0);
	else if (nsides > 1 && is_service(cg))
		enter(t, id, 1);
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
	if (k >= NSIDES_MAX * NSYS)
		return 0;
	struct sys_stat *st = bpf_map_lookup_elem(&sys_stats, &k);
	if (st)
		st->sum += d;
	__u64 *mx = bpf_map_lookup_elem(&sys_max, &k);
	if (mx && d > *mx)
		*mx = d;
	if (threads && k < NSYS) {
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
	__u32 hk = bpf_get_smp_processor_id() * (NSYS * NB) + s->sys_hist_row + b;
	__u64 *c = bpf_map_lookup_elem(&sys_hist, &hk);
	if (c)
		(*c)++;
	return 0;
}

#endif
