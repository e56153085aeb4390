// SPDX-License-Identifier: GPL-2.0
#ifndef KDELTA_IRQ_H
#define KDELTA_IRQ_H

// Hard and soft IRQ time, and the share that landed on the workload (side 0).
static __always_inline void irq_start(__u32 slot)
{
	__u64 *st = bpf_map_lookup_elem(&misc, &slot);
	if (st)
		*st = bpf_ktime_get_ns();
}

static __always_inline void irq_end(__u32 slot, void *map, __u32 key, __u32 kind)
{
	__u64 now = bpf_ktime_get_ns();
	__u64 *st = bpf_map_lookup_elem(&misc, &slot);
	if (!st || !*st)
		return;
	__u64 d = now - *st;
	// Zeroed so an exit whose entry was skipped (BPF recursion guard) pairs with nothing.
	*st = 0;
	struct irq_stat *v = bpf_map_lookup_elem(map, &key);
	if (!v)
		return;
	v->count++;
	v->total += d;
	// In an interrupt the current task is the interrupted one.
	struct task_struct *cur = bpf_get_current_task_btf();
	// time_in_workload is the workload's (the driver's): a service's interrupts are not added.
	if (is_workload(cgid_of(cur)) && (!windows || in_window(cur))) {
		v->wcount++;
		v->wtotal += d;
		if (threads)
			grp_add(cur, kind, key, d);
	}
}

SEC("tp_btf/irq_handler_entry")
int BPF_PROG(irq_handler_entry, int irq, struct irqaction *action)
{
	irq_start(0);
	return 0;
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(irq_handler_exit, int irq, struct irqaction *action, int ret)
{
	// Shared lines call every handler: only the one that handled it counts.
	if (ret == 0) {
		__u32 slot = 0;
		__u64 *st = bpf_map_lookup_elem(&misc, &slot);
		if (st)
			*st = 0;
		return 0;
	}
	irq_end(0, &hard, irq >= 0 && irq < NIRQ ? irq : NIRQ - 1, GK_HARD);
	return 0;
}

SEC("tp_btf/softirq_entry")
int BPF_PROG(softirq_entry, unsigned int vec)
{
	irq_start(1);
	return 0;
}

SEC("tp_btf/softirq_exit")
int BPF_PROG(softirq_exit, unsigned int vec)
{
	irq_end(1, &soft, vec < NSOFT ? vec : NSOFT - 1, GK_SOFT);
	return 0;
}

#endif
