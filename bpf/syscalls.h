// SPDX-License-Identifier: GPL-2.0
#ifndef KDELTA_SYSCALLS_H
#define KDELTA_SYSCALLS_H

// Syscall counts and latencies, per side: slot side * NSYS + id in every syscall map. The entry
// runs once per side with the side a constant (admit.h); the call it entered is this CPU's
// sys_cur (maps.h) until its exit. Thread groups (threads: true) are the workload's only.
static __always_inline struct sys_cur *sys_cur_here(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&sys_cur, &zero);
}

static __always_inline __u64 switches_of(struct task_struct *t)
{
	return t->nvcsw + t->nivcsw;
}

// True for the calls sampling leaves untimed (all but 1 in `sample`): xorshift32 per CPU,
// seeded once from the kernel's generator, and a multiply-shift instead of a division.
static __always_inline bool sampled_out(struct sys_cur *c)
{
	__u32 x = c->rng;
	if (!x)
		x = bpf_get_prandom_u32() | 1;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	c->rng = x;
	return (((__u64)x * sample) >> 32) != 0;
}

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
	struct sys_cur *c = sys_cur_here();
	if (!c)
		return;
	// A timed call still here was neither ended nor moved: its task left the CPU unseen.
	if (c->timed)
		bump(7, 1);
	c->tid = t->pid;
	c->sw = switches_of(t);
	c->timed = 0;
	if (k == noret[0] || k == noret[1] || (sample > 1 && sampled_out(c)))
		return;
	c->timed = 1;
	c->slot = slot;
	c->row = side * hist_side1 + k * NB;
	c->start = bpf_ktime_get_ns();
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

// A timed call of d ns in syscall slot k, histogram row `row`.
static __always_inline void timed(struct task_struct *t, __u64 d, __u32 k, __u32 row)
{
	if (k >= NSIDES_MAX * NSYS)
		return;
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
	__u32 hk = bpf_get_smp_processor_id() * (NSYS * NB) + row + b;
	__u64 *cnt = bpf_map_lookup_elem(&sys_hist, &hk);
	if (cnt)
		(*cnt)++;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct sys_cur *c = sys_cur_here();
	if (!c)
		return 0;
	if (c->tid == t->pid && c->sw == switches_of(t)) {
		// The call entered here and never left the CPU.
		if (!c->timed)
			return 0;
		__u64 now = bpf_ktime_get_ns();
		c->timed = 0;
		timed(t, now - c->start, c->slot, c->row);
		return 0;
	}
	// Not entered on this CPU, or it left the CPU since: a timed one was moved to its storage.
	if (!is_admitted(cgid_of(t)))
		return 0;
	__u64 now = bpf_ktime_get_ns();
	struct task_state *s = bpf_task_storage_get(&tstate, t, 0, 0);
	if (!s || !s->sys_start)
		return 0;
	__u64 start = s->sys_start;
	s->sys_start = 0;
	timed(t, now - start, s->sys_id, s->sys_hist_row);
	return 0;
}

// prev leaves the CPU: a timed call it is in moves into its storage. The switch count has been
// bumped for this switch already, so the call is prev's current one when it is one more than at
// the entry; otherwise an earlier switch went unseen and the call's time is lost (counted).
static __always_inline void sys_park(struct task_struct *prev, struct sys_cur *c)
{
	c->timed = 0;
	struct task_state *s = c->sw + 1 == switches_of(prev) ? bpf_task_storage_get(&tstate, prev, 0, BPF_LOCAL_STORAGE_GET_F_CREATE) : NULL;
	if (!s) {
		bump(7, 1);
		return;
	}
	s->sys_start = c->start;
	s->sys_id = c->slot;
	s->sys_hist_row = c->row;
}

#endif
