/** bpftrace text for the scheduler and interrupt probes: they do not depend on the syscall choices. */

export const BUCKET_VAR = '$b';

/** bpftrace 0.17 has no log2(): the exponent is found by a 6-step binary search, then the 3 bits below the leading one. */
export function bucketCode(valueVar: string, indent = ''): string {
  return [
    `$v = ${valueVar}; $e = (uint64)0;`,
    `if ($v >= 4294967296) { $v = $v >> 32; $e = (uint64)32; }`,
    `if ($v >= 65536) { $v = $v >> 16; $e = $e + 16; }`,
    `if ($v >= 256) { $v = $v >> 8; $e = $e + 8; }`,
    `if ($v >= 16) { $v = $v >> 4; $e = $e + 4; }`,
    `if ($v >= 4) { $v = $v >> 2; $e = $e + 2; }`,
    `if ($v >= 2) { $e = $e + 1; }`,
    `${BUCKET_VAR} = ${valueVar};`,
    `if (${valueVar} >= 8) { ${BUCKET_VAR} = ($e << 3) + ((${valueVar} >> ($e - 3)) & 7); }`,
  ]
    .map((l) => indent + l)
    .join('\n');
}

/**
 * @rq[tid]: 1 = the workload's task, not queued; >1 = queued since that time. A task is
 * known as the workload's once it runs in one of our cgroups (sched_switch fires in the
 * context of prev, so `cgroup` there is prev's). sched_wakeup fires in the waker's context,
 * so the wakee is looked up by tid instead of filtered by cgroup. sched_wakeup (enqueue)
 * rather than sched_waking starts the clock, as the kernel's schedstat run_delay does.
 */
export function readyDelayProbes(inSet: string, preempted: number, withSyscalls: boolean): string[] {
  const probes: string[] = [];
  probes.push(`tracepoint:sched:sched_wakeup {
  if (@rq[args->pid] == 1) { @rq[args->pid] = nsecs; }
}`);
  // A new task's parent wakes it and shares its cgroup (the child inherits it at fork).
  probes.push(`tracepoint:sched:sched_wakeup_new {
  $cg = cgroup;
  if (${inSet}) { @rq[args->pid] = nsecs; }
}`);
  // Runnable when switched out: prev_state 0, or the preempted bit (TASK_REPORT_MAX), which
  // older kernels report for an involuntary preemption. A dying task (EXIT_DEAD/ZOMBIE
  // bits 0x10/0x20) is forgotten so its tid does not hold a map slot forever.
  probes.push(`tracepoint:sched:sched_switch {
  $cg = cgroup;
  $ps = args->prev_state;
  if (args->prev_pid != 0 && ${inSet}) {
    if (($ps & 0x30) != 0) {
      if (@rq[args->prev_pid] > 0) { delete(@rq[args->prev_pid]); }${withSyscalls ? `
      if (@ss[args->prev_pid] > 0) { delete(@ss[args->prev_pid]); }` : ''}
    } else {
      if ($ps == 0 || ($ps & ${preempted}) != 0) { @rq[args->prev_pid] = nsecs; } else { @rq[args->prev_pid] = 1; }
    }
  }
  if (args->next_pid != 0) {
    $q = @rq[args->next_pid];
    if ($q > 1) {
      $d = nsecs - $q;
${bucketCode('$d', '      ')}
      @rd[args->next_comm, ${BUCKET_VAR}] = count();
      @rdt[args->next_comm] = sum($d);
      @rq[args->next_pid] = 1;
    }
  }
}`);
  return probes;
}

/** Without the ready-delay probe, the syscall start of an exiting thread is dropped here. */
export function syscallExitCleanupProbe(): string {
  return `tracepoint:sched:sched_process_exit {
  if (@ss[tid] > 0) { delete(@ss[tid]); }
}`;
}

/**
 * Handlers do not nest on a CPU, so the start is kept per CPU. It is zeroed at exit: an
 * entry skipped by BPF's recursion guard (an IRQ landing inside another of our programs)
 * must not pair an exit with an old start. In an interrupt `cgroup` is the interrupted task's.
 */
export function irqProbe(inSet: string): string {
  return `tracepoint:irq:irq_handler_entry { @hs[cpu] = nsecs; }
tracepoint:irq:irq_handler_exit {
  $s = @hs[cpu];
  if ($s > 0) {
    @hs[cpu] = 0;
    if (args->ret != 0) {
      $d = nsecs - $s;
      @hi[args->irq] = stats($d);
      $cg = cgroup;
      if (${inSet}) { @hiw[args->irq] = stats($d); }
    }
  }
}
tracepoint:irq:softirq_entry { @sfs[cpu] = nsecs; }
tracepoint:irq:softirq_exit {
  $s = @sfs[cpu];
  if ($s > 0) {
    @sfs[cpu] = 0;
    $d = nsecs - $s;
    @sf[args->vec] = stats($d);
    $cg = cgroup;
    if (${inSet}) { @sfw[args->vec] = stats($d); }
  }
}`;
}
