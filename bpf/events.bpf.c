// SPDX-License-Identifier: GPL-2.0
// kdelta's slow-call events: each system call of the admitted cgroups that takes longer than a
// threshold is sent to user space with its thread, duration and stacks. A capture of its own,
// loaded only when a scenario asks for events, so the main capture's cost does not change.
//
// Why this shape:
// - The cgroup filter is the main capture's: the id read through BTF pointers
//   (task->cgroups->dfl_cgrp->kn->id) and compared with a few ids the loader writes into .bss.
// - The start time lives in task-local storage (freed with the task, no tid-keyed hash).
// - A fast call costs a storage lookup and a compare at exit: everything else (ring buffer,
//   stacks) is paid by slow calls only.
// - One shared counter of slow calls per repetition, incremented atomically: the first `max`
//   are sent, and the number dropped is exactly seen - max, whatever the CPUs interleave.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "../helpers/kdelta-events.h"

#define NADMIT 8

char LICENSE[] SEC("license") = "GPL";

// Set by the loader before load.
const volatile __u64 over_ns = 1000000;
const volatile __u8 stacks = 1;

// Written by the loader at run time (mmapped .bss).
__u64 admitted[NADMIT] = {};
// admit.h's service slots; the slow-call events do not tell the sides apart.
#define NADMIT_SVC 2
__u64 max_events = 0;
// Slow calls seen since the last admit, and events the ring buffer had no room for.
__u64 seen = 0;
__u64 ring_full = 0;

struct start {
	__u64 at;
	__u32 id;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct start);
} starts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

#include "admit.h"

SEC("tp_btf/sys_enter")
int BPF_PROG(ev_enter, struct pt_regs *regs, long id)
{
	struct task_struct *t = bpf_get_current_task_btf();
	if (!is_admitted(cgid_of(t)))
		return 0;
	struct start *s = bpf_task_storage_get(&starts, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!s)
		return 0;
	s->id = (__u32)id;
	s->at = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ev_exit, struct pt_regs *regs, long ret)
{
	__u64 now = bpf_ktime_get_ns();
	struct task_struct *t = bpf_get_current_task_btf();
	// Only a task that entered while admitted has a start: no cgroup test needed here.
	struct start *s = bpf_task_storage_get(&starts, t, 0, 0);
	if (!s || !s->at)
		return 0;
	__u64 d = now - s->at;
	__u64 at = s->at;
	s->at = 0;
	if (d < over_ns)
		return 0;
	if (__sync_fetch_and_add(&seen, 1) >= max_events)
		return 0;
	struct kd_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&ring_full, 1);
		return 0;
	}
	__u64 pt = bpf_get_current_pid_tgid();
	e->start_ns = at;
	e->duration_ns = d;
	e->pid = pt >> 32;
	e->tid = (__u32)pt;
	e->nr = s->id;
	e->ret = ret;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	e->ustack_bytes = 0;
	e->kstack_bytes = 0;
	e->stack_top = 0;
	if (stacks) {
		long n = bpf_get_stack(ctx, e->ustack, sizeof(e->ustack), BPF_F_USER_STACK);
		e->ustack_bytes = n > 0 ? n : 0;
		n = bpf_get_stack(ctx, e->kstack, sizeof(e->kstack), 0);
		e->kstack_bytes = n > 0 ? n : 0;
		// The word at the user stack pointer: the return address when the call was made from a
		// leaf wrapper without a frame (libc's syscall()), whose caller a frame-pointer walk skips.
		bpf_probe_read_user(&e->stack_top, sizeof(e->stack_top), (void *)PT_REGS_SP(regs));
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}
