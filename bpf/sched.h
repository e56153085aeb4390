// SPDX-License-Identifier: GPL-2.0
#ifndef KDELTA_SCHED_H
#define KDELTA_SCHED_H

// Ready (run-queue) delay and on-CPU run time, both from sched_switch alone.
//
// The ready delay is read from the kernel's own accounting (sched_info, what
// /proc/PID/schedstat's run_delay sums) instead of being timed from a wakeup probe. At the
// switch, next's sched_info.last_queued is the run-queue clock when it was queued, and
// rq->clock is the clock the kernel charges its arrival with right after this tracepoint: their
// difference is the delay the kernel adds. Part of a wait can be charged earlier (a queued task
// moved to another CPU is charged at the dequeue and queued again there); the cumulative
// run_delay seen at the task's previous switch-in joins that part to the wait it belongs to.
// With no sched_wakeup program, a wait costs one program run instead of two.
//
// The run queue is reached through a task on this CPU: the per-CPU
// `runqueues` symbol is not in kallsyms on kernels built without KALLSYMS_ALL, so the verifier
// cannot resolve it there.
static __always_inline __u64 rq_clock_of(struct task_struct *t)
{
	struct cfs_rq *cfs = walkable(t)->se.cfs_rq;
	if (!cfs)
		return 0;
	if (bpf_core_field_exists(cfs->rq))
		return cfs->rq->clock;
	return container_of(cfs, struct rq, cfs)->clock;
}

static __always_inline void account_rd(int slot, __u64 d)
{
	if (slot < 0 || slot >= RD_SLOTS) {
		bump(2, 1);
		return;
	}
	__u32 k = bpf_get_smp_processor_id() * RD_SLOTS + slot;
	struct rd_val *v = bpf_map_lookup_elem(&rd, &k);
	if (!v) {
		bump(2, 1);
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

// The wait that ends as next (on `side`, storage s, its name's slot) gets the CPU at run-queue
// clock rqc.
static __always_inline void ready(struct task_struct *next, struct task_state *s, int slot, __u64 rqc, __u64 now, __u32 side)
{
	__u64 queued = next->sched_info.last_queued;
	__u64 charged = next->sched_info.run_delay;
	__u64 wait = queued && rqc > queued ? rqc - queued : 0;
	// Without its storage (a task-storage call fails while another one is in progress on this
	// CPU) the wait is left for the next switch-in, whose join counts it: the total stays exact.
	if (!s)
		return;
	// A thread seen for the first time that never ran yet (pcount counts arrivals): all it was
	// charged belongs to this wait, its first (a new thread moved before it first ran).
	__u64 seen = s->rd_known ? s->rd_seen : (next->sched_info.pcount == 0 ? 0 : charged);
	__u64 d = wait + (charged > seen ? charged - seen : 0);
	// What run_delay will be once the kernel charges this arrival.
	s->rd_seen = charged + wait;
	s->rd_known = 1;
	if (!queued && !d)
		return;
	if (windows && !in_window(next))
		return;
	account_rd(slot, d);
	// The timeline is the workload's (the driver's) alone.
	if (timeline && !side) {
		__u32 slot = slot_of(now);
		__u32 k = bpf_get_smp_processor_id() * TL_SLOTS + slot;
		__u64 *r = slot < TL_SLOTS ? bpf_map_lookup_elem(&tl_ready, &k) : NULL;
		if (r)
			*r += d;
	}
}

#define CLOCKED (windows || timeline)

// The period prev ran since its switch-in (oc, set only for an admitted task, with its side) ends
// now, counted on its side; thread groups and the timeline are the workload's only.
static __always_inline void ran(struct task_struct *prev, struct oncpu *oc, __u64 now)
{
	// Outside a window nothing of prev counts; inside, from the later of switch-in and window start.
	__u64 ws = windows ? win_start_of(prev) : 0;
	if (windows && !ws)
		return;
	__u64 from = oc->start > ws ? oc->start : ws;
	count_run(prev, oc, from, now, CLOCKED ? now - from : prev->se.sum_exec_runtime - oc->start);
}

// next, admitted on `side`, gets the CPU: its run period starts, its wait ends.
static __always_inline void switch_in(struct task_struct *next, struct oncpu *oc, __u64 rqc, __u64 now, __u32 side)
{
	struct task_state *s = bpf_task_storage_get(&tstate, next, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	int slot = rd_slot_of(next, s, side);
	oc->pid = next->pid;
	oc->side = side;
	oc->start = CLOCKED ? now : next->se.sum_exec_runtime;
	oc->grp = slot >= 0 ? slot : RD_SLOTS;
	if (timeline && !side) {
		__u64 *name = (__u64 *)next->comm;
		oc->comm[0] = name[0];
		oc->comm[1] = name[1];
	}
	ready(next, s, slot, rqc, now, side);
}

// Run periods are the change in the thread's sum_exec_runtime, the kernel's own on-CPU account
// (what /proc/thread-self/schedstat reads), brought up to date before this tracepoint: no clock
// read. Windows and the timeline place periods in time, so with either they are timed on the
// ktime clock that their probes and slots use. The idle task (pid 0) never counts.
//
// With the syscall capture on, a timed call in flight leaves the CPU with its task (syscalls.h):
// that part alone runs when ready delay is off.
SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next, unsigned int prev_state)
{
	struct sys_cur *c = sys_on ? sys_cur_here() : NULL;
	if (c && c->timed && c->tid == prev->pid)
		sys_park(prev, c);
	if (!rd_on)
		return 0;
	// Both are on this CPU; the idle task's cfs_rq pointer is set too, but a workload task's is
	// the one every switch-in reads.
	__u64 rqc = rq_clock_of(next->pid ? next : prev);
	if (!rqc)
		return 0;
	__u64 now = CLOCKED ? bpf_ktime_get_ns() : 0;
	__u32 zero = 0;
	struct oncpu *oc = bpf_map_lookup_elem(&oncpu, &zero);
	if (!oc)
		return 0;
	if (oc->pid && oc->pid == prev->pid)
		ran(prev, oc, now);
	oc->pid = 0;
	oc->start = 0;
	if (next->pid == 0)
		return 0;
	// Once per side, the side a constant (admit.h).
	__u64 cg = cgid_of(next);
	if (is_workload(cg))
		switch_in(next, oc, rqc, now, 0);
	else if (nsides > 1 && is_service(cg))
		switch_in(next, oc, rqc, now, 1);
	return 0;
}

#endif
