// SPDX-License-Identifier: GPL-2.0
#ifndef KDELTA_WINDOW_H
#define KDELTA_WINDOW_H

// Trigger windows (collect.ebpf.window): only the time between a start probe and the next stop
// probe counts. Per thread, the window start lives in the task's storage; per process, in a
// hash keyed by the thread group id. `windows` is a load-time constant: with 0 the verifier
// drops every window test from the hot paths, so a capture without windows pays nothing.
#include <bpf/usdt.bpf.h>

#define WIN_THREAD 1
#define WIN_PROCESS 2
const volatile __u8 windows = 0;
// Windows shorter than this (ns) are left out of window.count and window.duration.*.
const volatile __u64 win_min = 0;

// misc slots the windows use: windows kept, their ns, windows shorter than win_min, durations
// the log could not hold, and the longest window per CPU (zeroed by the loader at each dump).
#define M_WIN_COUNT 8
#define M_WIN_TOTAL 9
#define M_WIN_SHORT 10
#define M_WIN_LOGLOST 11
#define M_WIN_MAX 12

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} win_proc SEC(".maps");

// Each kept window's length, popped by the loader at each dump: exact percentiles.
struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 16384);
	__type(value, __u64);
} win_log SEC(".maps");

// Where t's window start is kept (0 = outside a window); NULL when there is no slot yet.
static __always_inline __u64 *win_slot(struct task_struct *t, bool create)
{
	if (windows == WIN_PROCESS) {
		__u32 k = t->tgid;
		__u64 *w = bpf_map_lookup_elem(&win_proc, &k);
		if (w || !create)
			return w;
		__u64 zero = 0;
		bpf_map_update_elem(&win_proc, &k, &zero, BPF_NOEXIST);
		return bpf_map_lookup_elem(&win_proc, &k);
	}
	struct task_state *s = bpf_task_storage_get(&tstate, t, 0, create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	return s ? &s->win_start : NULL;
}

// When t's window started, or 0 outside one (always 1 without windows: everything counts).
static __always_inline __u64 win_start_of(struct task_struct *t)
{
	if (!windows)
		return 1;
	__u64 *w = win_slot(t, false);
	return w ? *w : 0;
}

static __always_inline bool in_window(struct task_struct *t)
{
	return win_start_of(t) != 0;
}

// The stopping task's on-CPU time from max(switch-in, window start) to the stop counts now:
// from here on it is outside the window, and its next switch-out adds nothing.
static __always_inline void win_close_run(struct task_struct *t, __u64 start, __u64 now)
{
	__u32 zero = 0;
	struct oncpu *oc = bpf_map_lookup_elem(&oncpu, &zero);
	if (!oc || oc->pid != t->pid || !oc->start)
		return;
	__u64 from = oc->start > start ? oc->start : start;
	count_run(t, oc, from, now, now - from);
	oc->start = now;
}

static __always_inline int win_open(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	if (!windows || !is_admitted(cgid_of(t)))
		return 0;
	__u64 *w = win_slot(t, true);
	// A second start inside a window keeps the first: the window runs to the next stop.
	if (w && !*w)
		*w = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int win_close(void)
{
	__u64 now = bpf_ktime_get_ns();
	struct task_struct *t = bpf_get_current_task_btf();
	if (!windows || !is_admitted(cgid_of(t)))
		return 0;
	__u64 *w = win_slot(t, false);
	if (!w || !*w)
		return 0;
	__u64 start = *w;
	*w = 0;
	__u64 d = now - start;
	win_close_run(t, start, now);
	if (d < win_min) {
		bump(M_WIN_SHORT, 1);
		return 0;
	}
	bump(M_WIN_COUNT, 1);
	bump(M_WIN_TOTAL, d);
	__u32 mk = M_WIN_MAX;
	__u64 *mx = bpf_map_lookup_elem(&misc, &mk);
	if (mx && d > *mx)
		*mx = d;
	if (bpf_map_push_elem(&win_log, &d, 0))
		bump(M_WIN_LOGLOST, 1);
	return 0;
}

SEC("usdt")
int BPF_USDT(win_start_usdt)
{
	return win_open();
}

SEC("usdt")
int BPF_USDT(win_stop_usdt)
{
	return win_close();
}

// One program for uprobe and uretprobe: the loader's attach options say which.
SEC("uprobe")
int BPF_KPROBE(win_start_uprobe)
{
	return win_open();
}

SEC("uprobe")
int BPF_KPROBE(win_stop_uprobe)
{
	return win_close();
}

SEC("tracepoint")
int win_start_tp(void *ctx)
{
	return win_open();
}

SEC("tracepoint")
int win_stop_tp(void *ctx)
{
	return win_close();
}

#endif
