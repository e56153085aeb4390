// SPDX-License-Identifier: GPL-2.0
#ifndef KDELTA_SCHED_H
#define KDELTA_SCHED_H

// Ready (run-queue) delay and on-CPU run time.
static __always_inline void queued(struct task_struct *p, __u64 now)
{
	if (p->pid == 0 || !is_admitted(cgid_of(p)))
		return;
	if (windows && !in_window(p))
		return;
	struct task_state *s = bpf_task_storage_get(&tstate, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (s)
		s->rq_start = now;
}

// sched_wakeup (the enqueue, as the kernel's schedstat run_delay counts it) runs in the waker's
// context: the filter is on the woken task p, not on the current task.
SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup, struct task_struct *p)
{
	queued(p, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new, struct task_struct *p)
{
	queued(p, bpf_ktime_get_ns());
	return 0;
}

static __always_inline void account_rd(struct task_struct *next, __u64 d)
{
	struct rd_key key = {};
	__builtin_memcpy(key.comm, next->comm, sizeof(key.comm));
	struct rd_val *v = bpf_map_lookup_elem(&rd, &key);
	if (!v) {
		__u32 z = 0;
		struct rd_val *zero = bpf_map_lookup_elem(&rd_zero, &z);
		if (!zero)
			return;
		if (bpf_map_update_elem(&rd, &key, zero, BPF_NOEXIST) && bpf_map_lookup_elem(&rd, &key) == NULL) {
			__u32 lk = 2;
			__u64 *lost = bpf_map_lookup_elem(&misc, &lk);
			if (lost)
				(*lost)++;
			return;
		}
		v = bpf_map_lookup_elem(&rd, &key);
		if (!v)
			return;
	}
	v->count++;
	v->total += d;
	if (d > v->max)
		v->max = d;
	__u32 b = bucket_of(d);
	if (b >= RD_NB)
		b = RD_NB - 1;
	v->b[b & (RD_NB - 1)]++;
}

// A task switched out while still runnable waits from now: a preemption (whatever prev_state
// says) or prev_state 0. The idle task (pid 0) is skipped on both sides.
SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
{
	__u64 now = bpf_ktime_get_ns();
	__u32 zero = 0;
	struct oncpu *oc = bpf_map_lookup_elem(&oncpu, &zero);
	if (!oc)
		return 0;
	if (prev->pid != 0 && is_admitted(cgid_of(prev))) {
		struct task_state *ps = bpf_task_storage_get(&tstate, prev, 0, 0);
		// Outside a window nothing of prev counts; inside, from the later of switch-in and window start.
		__u64 ws = windows ? win_start_of(prev) : 0;
		if ((!windows || ws) && oc->pid == prev->pid && oc->start) {
			__u64 from = oc->start > ws ? oc->start : ws;
			__u64 ran = now - from;
			bump(4, 1);
			bump(5, ran);
			if (threads)
				grp_add(prev, GK_RUN, 0, ran);
			if (timeline)
				tl_run(prev, from, now);
		}
		if (preempt || prev_state == 0) {
			queued(prev, now);
		} else if (ps) {
			ps->rq_start = 0;
		}
	}
	oc->pid = 0;
	oc->start = 0;
	if (next->pid == 0 || !is_admitted(cgid_of(next)))
		return 0;
	oc->pid = next->pid;
	oc->start = now;
	if (timeline)
		tl_add(next, slot_of(now), 0, 1);
	struct task_state *s = bpf_task_storage_get(&tstate, next, 0, 0);
	if (!s || !s->rq_start)
		return 0;
	__u64 d = now - s->rq_start;
	s->rq_start = 0;
	account_rd(next, d);
	if (timeline) {
		__u32 slot = slot_of(now);
		__u64 *r = slot < TL_SLOTS ? bpf_map_lookup_elem(&tl_ready, &slot) : NULL;
		if (r)
			*r += d;
	}
	return 0;
}

#endif
