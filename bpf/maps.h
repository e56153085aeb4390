// SPDX-License-Identifier: GPL-2.0
#ifndef KDELTA_MAPS_H
#define KDELTA_MAPS_H

// The capture's constants, load-time settings and maps, shared by every program.
#define NSYS 512
#define NB 256
#define RD_NB 256
#define NIRQ 1024
#define NSOFT 16
#define NADMIT 8
// The last NADMIT_SVC slots of `admitted` are the service's (side 1), the others the workload's.
#define NADMIT_SVC 2
// Sides an admitted cgroup can be on: the workload (driver) and a service.
#define NSIDES_MAX 2

// Set by the loader before load.
const volatile __u32 sample = 1;
// Per-thread-group accounting (syscalls, run time, interrupts keyed by comm) on or off.
const volatile __u8 threads = 0;
// Where the workload ran over time: per (comm, 10 ms slot) and CPU, on-CPU ns and switches in.
const volatile __u8 timeline = 0;
const volatile __u8 sys_traced[NSYS] = {};
// How many sides the per-side maps are sized for (2 only when a service will be admitted, so a
// capture without one keeps its memory): syscall slot side * NSYS + id, histogram blocks per CPU.
const volatile __u32 nsides = 1;
// Where side 1's histograms start in sys_hist: after every CPU's side-0 block (ncpu * NSYS * NB).
const volatile __u32 hist_side1 = 0;
// Which parts sched_switch runs: the syscall capture's (a timed call that leaves the CPU) and the
// ready delay's. The loader attaches it when either is on.
const volatile __u8 sys_on = 0;
const volatile __u8 rd_on = 0;
// The calls that never return (exit, exit_group): counted, never timed, so no timed call is left
// in flight by a task that ends.
const volatile __u32 noret[2] = {};

// Written by the loader at run time (mmapped .bss): the admitted cgroup ids (0 = free slot).
__u64 admitted[NADMIT] = {};
// When the repetition started (bpf_ktime_get_ns clock), written with the admitted ids.
__u64 t0 = 0;

struct task_state {
	// When this thread's trigger window opened (0: outside one). First, so that a pointer to it
	// is the value's own pointer: the verifier refuses arithmetic on a maybe-NULL value.
	__u64 win_start;
	// A timed call in flight that left the CPU (moved here from sys_cur at the switch-out; 0: none).
	__u64 sys_start;
	// The kernel's cumulative run_delay of this thread as of its last switch-in, counted.
	__u64 rd_seen;
	// The timed call's syscall slot: side * NSYS + its number.
	__u32 sys_id;
	__u32 rd_known;
	// The rd slot of this thread's name and side (slot + 1; 0: none yet) and the name and side it
	// was found for (a thread keeps its side unless it is moved to another cgroup).
	__u32 rd_slot;
	__u32 rd_side;
	__u64 rd_comm[2];
	// The timed call's histogram row in its CPU's block: side * hist_side1 + id * NB.
	__u32 sys_hist_row;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_state);
} tstate SEC(".maps");

// The last system call entered on this CPU by an admitted task, and whether it is timed. Its
// exit finds it here when the call neither left the CPU nor was followed by another task's: the
// same thread id and the same context-switch count (the kernel's nvcsw + nivcsw, which no
// missed event can fool). Then an untimed call's exit (7 in 8 when sampling 1 in 8) costs a
// per-CPU load and two compares, and a timed one reads the clock right after them, before any
// map update or helper call. A timed call that leaves the CPU is moved into its task's storage at
// sched_switch, and its exit, which no longer matches, finds it there.
struct sys_cur {
	__u64 start;
	// nvcsw + nivcsw of the thread when it entered.
	__u64 sw;
	__u32 tid;
	__u32 timed;
	// Its syscall slot (side * NSYS + number) and histogram row (side * hist_side1 + number * NB).
	__u32 slot;
	__u32 row;
	// This CPU's xorshift32 state for sampling: no helper call per decision.
	__u32 rng;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sys_cur);
} sys_cur SEC(".maps");

struct sys_stat {
	__u64 count; // calls entered (every call, in both modes)
	__u64 sum;   // ns of the timed calls
};

// The syscall maps hold NSYS slots per side (the loader sizes them to nsides * NSYS).
// Largest timed call per syscall since the last dump: the loader zeroes it after reading, so it
// lives apart from the cumulative counters, which are never written from user space.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSYS);
	__type(key, __u32);
	__type(value, __u64);
} sys_max SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSYS);
	__type(key, __u32);
	__type(value, struct sys_stat);
} sys_stats SEC(".maps");

// One (syscall, bucket) counter block per CPU and side in one plain array (the loader sizes it
// to the possible CPUs and the sides, and reads it through mmap): a per-CPU array of 131072
// elements took 0.2 s to create, one allocation per element. A program does not race itself on
// one CPU. Side-major (every CPU's side-1 block after every CPU's side-0 block), so a capture
// without a service has the layout and memory it had before sides.
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, NSYS * NB);
	__type(key, __u32);
	__type(value, __u64);
} sys_hist SEC(".maps");

struct rd_key {
	char comm[16];
	__u32 side;
};

struct rd_val {
	__u64 count;
	__u64 total;
	__u64 max;
	__u32 b[RD_NB];
};

// Ready delay per thread name and side, in slots: a (name, side) gets a slot the first time one
// of its threads waits (rd_slot), and each thread caches its slot, name and side in its storage,
// so that a switch indexes an array instead of hashing the name (a per-CPU hash lookup was half
// the program's cost). The sides share the slots. rd holds RD_SLOTS values per CPU in one plain array (the loader sizes it to the possible
// CPUs and reads it through mmap): element cpu * RD_SLOTS + slot.
#define RD_SLOTS 256
__u32 rd_next = 0;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RD_SLOTS);
	__type(key, struct rd_key);
	__type(value, __u32);
} rd_slot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, RD_SLOTS);
	__type(key, __u32);
	__type(value, struct rd_val);
} rd SEC(".maps");

struct irq_stat {
	__u64 count;
	__u64 total;
	__u64 wcount;
	__u64 wtotal;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NIRQ);
	__type(key, __u32);
	__type(value, struct irq_stat);
} hard SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSOFT);
	__type(key, __u32);
	__type(value, struct irq_stat);
} soft SEC(".maps");

// Per thread group (comm) and kind: a syscall (id = its number), a hard IRQ (id = its number),
// a softirq (id = its vector) or the on-CPU run time (id 0).
#define GK_SYS 0
#define GK_HARD 1
#define GK_SOFT 2
#define GK_RUN 3
struct grp_key {
	char comm[16];
	__u32 kind;
	__u32 id;
};

struct grp_val {
	__u64 count;
	__u64 total;
	__u64 max;
	__u64 min;
};

// Preallocated: an element allocated on demand in sched_switch can fail (the allocator's
// per-CPU cache is refilled later, from irq_work), which showed as lost updates.
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct grp_key);
	__type(value, struct grp_val);
} grp SEC(".maps");

// Who is on this CPU since when, if it is a workload task: per CPU, not in task storage, whose
// lookups fail while another program holds it on the CPU; two lost events in a row would then
// join a task's on-CPU periods across the time it was off the CPU.
struct oncpu {
	__u64 start;
	__u32 pid;
	// Its side: the key of `run`.
	__u32 side;
	// The rd slot of its name (the timeline's group), or RD_SLOTS when it has none, and the
	// name it was found for (with the timeline only).
	__u32 grp;
	__u32 pad;
	__u64 comm[2];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct oncpu);
} oncpu SEC(".maps");

// [0] hard IRQ start, [1] softirq start, [2] ready-delay updates dropped (map full),
// [3] thread-group updates dropped (map full), [7] timed calls whose time was lost (a switch the
// capture did not see, or task storage busy; syscalls.h), [6] timeline updates dropped (map full or slot
// past the end), [8]-[12] windows (window.h).
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} misc SEC(".maps");

// On-CPU periods and their ns per side, one lookup per period (run periods were two misc slots,
// two lookups).
struct run_stat {
	__u64 count;
	__u64 ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, NSIDES_MAX);
	__type(key, __u32);
	__type(value, struct run_stat);
} run SEC(".maps");

#endif
