// SPDX-License-Identifier: GPL-2.0
// kdelta's in-kernel capture (one object; the programs live in the headers included below): syscall latency, run-queue (ready) delay and IRQ time of the
// workload cgroups, built CO-RE against the running kernel's BTF and attached as tp_btf.
//
// Why this shape (costs measured on a null syscall pinned to one CPU of a 2-CPU VM):
// - tp_btf instead of classic tracepoints: the classic path copies the event into a
//   buffer first (about 0.4x of the untraced call more).
// - The cgroup id is read through BTF pointers (task->cgroups->dfl_cgrp->kn->id) and compared
//   with a few ids in .bss that the loader writes through mmap: no helper, no map lookup.
// - A system call in flight is a per-CPU record (syscalls.h), checked at the exit with one load
//   and two compares; only a timed call that leaves the CPU goes to task-local storage, which
//   the kernel frees with the task: no tid-keyed hash (an update there costs about 60 ns more),
//   no delete on exit, no leak, and no helper call on the way of a call that does not block.
// - Counters are per-CPU arrays: no atomics, lookups inlined by the verifier.
// - The exit path reads the clock right after that compare, before any map update or helper
//   call, so a latency does not include the bookkeeping of its own measurement.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

char LICENSE[] SEC("license") = "GPL";

#include "maps.h"
#include "util.h"
#include "timeline.h"
#include "run.h"
#include "window.h"
#include "syscalls.h"
#include "sched.h"
#include "irq.h"

// The floor for bench:overhead: attached, filtered on the cgroup, doing nothing else.
SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_empty, struct pt_regs *regs, long id)
{
	return is_admitted(cgid_of(bpf_get_current_task_btf())) ? 0 : 1;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_empty, struct pt_regs *regs, long ret)
{
	return is_admitted(cgid_of(bpf_get_current_task_btf())) ? 0 : 1;
}
