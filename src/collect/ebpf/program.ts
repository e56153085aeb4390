import { EnvironmentError, InputError } from '../../errors.js';
import type { EbpfSpec } from '../../scenario/types.js';
import { syscallNumbers, syscallTableFor } from '../../kernel/syscalls/table.js';

/**
 * Writes the one bpftrace program that serves every repetition of a scenario.
 *
 * Why one program: bpftrace needs 0.5-1 s to compile and attach here, more than kdelta may
 * spend per repetition. The runner creates every repetition's cgroup first; the program
 * admits any of their ids, and since repetitions run one after the other, kdelta prints the
 * cumulative maps between repetitions (see `marker` below) and takes differences. So no map
 * needs the cgroup in its key, which keeps keys short and the hot paths cheap.
 *
 * Costs measured on the null-syscall path here (2-CPU VM, CPU 1): attaching raw_syscalls at
 * all costs ~250 ns a call; each keyed map update ~110 ns; an inlined hash lookup that misses
 * ~30 ns; a count() into a key-less map (bpftrace makes it a per-CPU array) ~20 ns. Hence:
 * - full timing: entry stores the start keyed by tid; exit looks it up and counts the call in
 *   ONE count() map keyed (syscall, log-linear bucket): its counts are the exact call counts
 *   and the distribution; the total is read from the buckets (each value within 6.25% of its
 *   bucket's midpoint). An exact sum() would be a second keyed aggregation (~120 ns), and
 *   stats() costs two map operations (~235 ns), either of which makes the capture as dear as
 *   the straightforward program. No delete: the next entry of the thread overwrites the start
 *   (the reference program's delete costs ~100 ns).
 * - sampled timing keeps an exact sum() of the timed calls: it runs for one call in N only.
 * - sampled timing (sample N): entry counts every call into a per-syscall key-less count()
 *   map chosen by a branch tree, and stores a start for one call in N (bpf random); exit does
 *   one hash lookup by tid (no cgroup test: only our sampled calls have a start), which misses
 *   for the unsampled calls; a sampled call deletes its start after use so a later unsampled
 *   exit cannot match it. Counts are taken on entry: a call in flight at a snapshot counts
 *   in the repetition it started in, and exit/exit_group (which never return) are counted.
 */

/**
 * Marker names: kdelta renames its own main thread to `kdm<n>` (and back) to ask for a
 * snapshot. A task_rename tracepoint fires only on renames, so it costs nothing on the hot
 * paths; a syscalls:sys_enter_* marker would switch on the ftrace syscall hook for every
 * system call on the machine (~20-50 ns each, measured here).
 */
export const MARKER_PREFIX = 'kdm';
/** TASK_REPORT_MAX on 6.x: the prev_state bit sched_switch reports for a preempted task. */
export const DEFAULT_PREEMPTED_STATE_BIT = 0x100;
/** Map size for every map of the program (bpftrace reads BPFTRACE_MAP_KEYS_MAX). */
export const DEFAULT_MAP_KEYS_MAX = 16384;

export interface ProgramOptions {
  spec: EbpfSpec;
  /** Every repetition's cgroup id (inode of its cgroup2 directory). */
  cgroupIds: readonly bigint[];
  /** The process that renames itself to fire a marker (kdelta itself). */
  markerPid: number;
  /** `uname -m` or process.arch. */
  arch: string;
  preemptedStateBit?: number;
}

/** What a printed map means, for the output parser. */
export type MapRole =
  | 'syscall-latency' // @sys[id, bucket] = count(), @syt[id] = sum(ns)
  | 'syscall-count' // @sn_<id> = count(), and @sn_other[id] = count()
  | 'ready-delay' // @rd[comm, bucket] = count(), @rdt[comm] = sum(ns)
  | 'hardirq' // @hi[irq] = stats(ns)
  | 'hardirq-workload' // @hiw[irq]
  | 'softirq' // @sf[vec]
  | 'softirq-workload'; // @sfw[vec]

export interface BuiltProgram {
  text: string;
  /** Printed maps by name (with `@`), and the prefix of the per-syscall count maps. */
  maps: Record<string, MapRole>;
  syscallCountPrefix: string;
  /** Syscall numbers with their own count map (sampling), null when counts come from @sys. */
  countedSyscalls: number[] | null;
  sample: number;
}

const BUCKET_VAR = '$b';

/** Per-program map limit (64) minus the other maps of the sys_exit program and bpftrace's own. */
const MAX_COUNTED = 54;

/** Syscalls most workloads spend their calls in, most frequent first (getppid: the null-call benchmark). */
export const HOT_SYSCALLS: readonly string[] = [
  'read', 'write', 'futex', 'epoll_wait', 'epoll_pwait', 'poll', 'ppoll', 'recvfrom', 'sendto',
  'recvmsg', 'sendmsg', 'openat', 'close', 'newfstatat', 'fstat', 'statx', 'lseek', 'mmap',
  'munmap', 'mprotect', 'madvise', 'brk', 'ioctl', 'pread64', 'pwrite64', 'readv', 'writev',
  'clock_gettime', 'gettimeofday', 'nanosleep', 'clock_nanosleep', 'sched_yield', 'getpid',
  'getppid', 'gettid', 'getrusage', 'select', 'pselect6', 'rt_sigprocmask', 'rt_sigaction',
  'rt_sigreturn', 'fcntl', 'dup', 'dup3', 'pipe2', 'accept4', 'connect', 'socket', 'fsync',
  'fdatasync', 'getdents64', 'io_uring_enter', 'getrandom', 'clone', 'clone3', 'wait4', 'execve',
];

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

function cgroupTest(ids: readonly bigint[]): string {
  if (ids.length === 0) return '0';
  return ids.map((id) => `$cg == ${id.toString()}`).join(' || ');
}

/** A branch tree over sorted syscall numbers ending in one key-less count() per number. */
function countTree(ids: readonly number[], indent: string): string {
  if (ids.length <= 4) {
    let code = '';
    ids.forEach((id, i) => {
      code += `${i === 0 ? indent : ' else { '}if ($id == ${id}) { @sn_${id} = count(); }`;
    });
    code += ids.length === 0 ? `${indent}@sn_other[$id] = count();` : ` else { @sn_other[$id] = count(); }`;
    code += ' }'.repeat(Math.max(0, ids.length - 1));
    return code;
  }
  const mid = Math.floor(ids.length / 2);
  const pivot = ids[mid]!;
  return [
    `${indent}if ($id < ${pivot}) {`,
    countTree(ids.slice(0, mid), indent + '  '),
    `${indent}} else {`,
    countTree(ids.slice(mid), indent + '  '),
    `${indent}}`,
  ].join('\n');
}

export function buildProgram(opts: ProgramOptions): BuiltProgram {
  const { spec } = opts;
  const inSet = `(${cgroupTest(opts.cgroupIds)})`;
  const preempted = opts.preemptedStateBit ?? DEFAULT_PREEMPTED_STATE_BIT;
  const maps: Record<string, MapRole> = {};
  const probes: string[] = [];
  const printed: string[] = [];
  let countedSyscalls: number[] | null = null;
  let sample = 1;

  // Syscalls -----------------------------------------------------------------------------
  if (spec.syscalls) {
    const table = syscallTableFor(opts.arch);
    if (!table) throw new EnvironmentError(`no syscall table for architecture ${opts.arch}`, { fix: 'use x86_64 or aarch64, or turn collect.ebpf.syscalls off' });
    const numbers = syscallNumbers(table);
    const resolve = (names: string[], what: string): number[] =>
      names.map((n) => {
        const id = numbers.get(n);
        if (id === undefined) throw new InputError(`unknown syscall "${n}" in collect.ebpf.syscalls.${what} (${opts.arch})`);
        return id;
      });
    const include = resolve(spec.syscalls.include, 'include');
    const exclude = resolve(spec.syscalls.exclude, 'exclude');
    const idTests: string[] = [];
    if (include.length > 0) idTests.push(`(${include.map((i) => `args->id == ${i}`).join(' || ')})`);
    if (exclude.length > 0) idTests.push(exclude.map((i) => `args->id != ${i}`).join(' && '));
    const idFilter = idTests.length > 0 ? ` && ${idTests.join(' && ')}` : '';
    sample = Math.max(1, Math.floor(spec.syscalls.sample));
    maps['@sys'] = 'syscall-latency';
    printed.push('@sys');

    if (sample === 1) {
      probes.push(`tracepoint:raw_syscalls:sys_enter {
  $cg = cgroup;
  if (${inSet}${idFilter}) { @ss[tid] = nsecs; }
}`);
      probes.push(`tracepoint:raw_syscalls:sys_exit {
  $t = nsecs;
  $cg = cgroup;
  if (${inSet}${idFilter}) {
    $s = @ss[tid];
    if ($s > 0) {
      $d = $t - $s;
${bucketCode('$d', '      ')}
      @sys[args->id, ${BUCKET_VAR}] = count();
    }
  }
}`);
    } else {
      maps['@syt'] = 'syscall-latency';
      printed.push('@syt');
      // The kernel allows 64 maps per program, so only up to MAX_COUNTED syscalls get their own
      // per-CPU array counter: the include list, or else the calls that dominate most workloads.
      // The rest are counted exactly too, in one keyed map (~110 ns a call instead of ~20).
      const hot = include.length > 0 ? include : HOT_SYSCALLS.flatMap((n) => numbers.get(n) ?? []);
      countedSyscalls = [...new Set(hot)]
        .filter((i) => !exclude.includes(i))
        .slice(0, MAX_COUNTED)
        .sort((a, b) => a - b);
      for (const id of countedSyscalls) printed.push(`@sn_${id}`);
      printed.push('@sn_other');
      maps['@sn_other'] = 'syscall-count';
      const pow2 = (sample & (sample - 1)) === 0;
      const pick = pow2 ? `(rand & ${sample - 1}) == 0` : `(rand % ${sample}) == 0`;
      // Counted on entry, where the cgroup test already runs; the exit needs no cgroup test:
      // only a sampled call of ours has a start, so one lookup by tid decides.
      probes.push(`tracepoint:raw_syscalls:sys_enter {
  $cg = cgroup;
  if (${inSet}${idFilter}) {
    $id = args->id;
${countTree(countedSyscalls, '    ')}
    if (${pick}) { @ss[tid] = nsecs; }
  }
}`);
      // The clock is read first: reading it after the delete put the delete (~100 ns) inside
      // every sampled latency, 25-35% high on getppid.
      probes.push(`tracepoint:raw_syscalls:sys_exit {
  $t = nsecs;
  $s = @ss[tid];
  if ($s > 0) {
    delete(@ss[tid]);
    $id = args->id;
    $d = $t - $s;
${bucketCode('$d', '    ')}
    @sys[$id, ${BUCKET_VAR}] = count();
    @syt[$id] = sum($d);
  }
}`);
    }
  }

  // Ready-queue delay ----------------------------------------------------------------------
  if (spec.readyDelay) {
    maps['@rd'] = 'ready-delay';
    maps['@rdt'] = 'ready-delay';
    printed.push('@rd', '@rdt');
    // @rq[tid]: 1 = the workload's task, not queued; >1 = queued since that time. A task is
    // known as the workload's once it runs in one of our cgroups (sched_switch fires in the
    // context of prev, so `cgroup` there is prev's). sched_wakeup fires in the waker's context,
    // so the wakee is looked up by tid instead of filtered by cgroup. sched_wakeup (enqueue)
    // rather than sched_waking starts the clock, as the kernel's schedstat run_delay does.
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
      if (@rq[args->prev_pid] > 0) { delete(@rq[args->prev_pid]); }${spec.syscalls ? `
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
  } else if (spec.syscalls) {
    // Without the ready-delay probe, the syscall start of an exiting thread is dropped here.
    probes.push(`tracepoint:sched:sched_process_exit {
  if (@ss[tid] > 0) { delete(@ss[tid]); }
}`);
  }

  // Interrupts -------------------------------------------------------------------------------
  if (spec.irq) {
    maps['@hi'] = 'hardirq';
    maps['@hiw'] = 'hardirq-workload';
    maps['@sf'] = 'softirq';
    maps['@sfw'] = 'softirq-workload';
    printed.push('@hi', '@hiw', '@sf', '@sfw');
    // Handlers do not nest on a CPU, so the start is kept per CPU. It is zeroed at exit: an
    // entry skipped by BPF's recursion guard (an IRQ landing inside another of our programs)
    // must not pair an exit with an old start. In an interrupt `cgroup` is the interrupted task's.
    probes.push(`tracepoint:irq:irq_handler_entry { @hs[cpu] = nsecs; }
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
}`);
  }

  // Marker: kdelta renames itself `kdm<n>`. The maps are printed, then the marker line;
  // bpftrace reads them in that order, so once the marker is read the snapshot is whole.
  const mark = `tracepoint:task:task_rename /pid == ${opts.markerPid} && strncmp(args->newcomm, "${MARKER_PREFIX}", ${MARKER_PREFIX.length}) == 0/ {
${printed.map((m) => `  print(${m});`).join('\n')}
  printf("kdelta-mark %s\\n", args->newcomm);
}`;
  const end = `END {\n${[...printed, '@ss', '@rq', '@hs', '@sfs'].filter((m) => usesMap(probes, m)).map((m) => `  clear(${m});`).join('\n')}\n}`;
  const text = [
    '// written by kdelta: one program for all repetitions of a scenario',
    ...probes,
    mark,
    end,
  ]
    .filter(Boolean)
    .join('\n\n');
  return {
    text: text + '\n',
    maps,
    syscallCountPrefix: '@sn_',
    countedSyscalls,
    sample,
  };
}

function usesMap(probes: string[], name: string): boolean {
  const re = new RegExp(`${name.replace('@', '@')}\\[`);
  return probes.some((p) => re.test(p) || p.includes(`${name} =`));
}
