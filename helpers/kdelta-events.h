/* The record bpf/events.bpf.c sends through its ring buffer for each slow system call, shared
   with its loader (helpers/kdelta-events.c): one definition, so the two cannot disagree. */
#ifndef KDELTA_EVENTS_H
#define KDELTA_EVENTS_H

#define KD_STACK_DEPTH 32

struct kd_event {
	__u64 start_ns;    /* bpf_ktime_get_ns (CLOCK_MONOTONIC) when the call entered */
	__u64 duration_ns;
	__s64 ret;
	__u64 stack_top;   /* the word at the user stack pointer (see events.bpf.c) */
	__u32 pid;         /* the thread group */
	__u32 tid;
	__u32 nr;          /* syscall number */
	__u32 ustack_bytes;
	__u32 kstack_bytes;
	__u32 pad;
	char comm[16];
	__u64 ustack[KD_STACK_DEPTH];
	__u64 kstack[KD_STACK_DEPTH];
};

#endif
