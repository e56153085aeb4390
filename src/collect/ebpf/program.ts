import { EnvironmentError, InputError } from '../../errors.js';
import type { EbpfSpec, EbpfSyscallSpec } from '../../scenario/types.js';
import { syscallNumbers, syscallTableFor } from '../../kernel/syscalls/table.js';
import { BUCKET_VAR, bucketCode, irqProbe, readyDelayProbes, syscallExitCleanupProbe } from './probes.js';

export { bucketCode } from './probes.js';

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

/** What the probe writers add to: every map's role, the probes, and the maps printed at a marker. */
interface Parts {
  maps: Record<string, MapRole>;
  probes: string[];
  printed: string[];
}

interface SyscallFilter {
  numbers: Map<string, number>;
  include: number[];
  exclude: number[];
  /** bpftrace condition text appended to the cgroup test, empty when every call counts. */
  idFilter: string;
}

function syscallFilter(opts: ProgramOptions, syscalls: EbpfSyscallSpec): SyscallFilter {
  const table = syscallTableFor(opts.arch);
  if (!table) throw new EnvironmentError(`no syscall table for architecture ${opts.arch}`, { fix: 'use x86_64 or aarch64, or turn collect.ebpf.syscalls off' });
  const numbers = syscallNumbers(table);
  const resolve = (names: string[], what: string): number[] =>
    names.map((n) => {
      const id = numbers.get(n);
      if (id === undefined) throw new InputError(`unknown syscall "${n}" in collect.ebpf.syscalls.${what} (${opts.arch})`);
      return id;
    });
  const include = resolve(syscalls.include, 'include');
  const exclude = resolve(syscalls.exclude, 'exclude');
  const idTests: string[] = [];
  if (include.length > 0) idTests.push(`(${include.map((i) => `args->id == ${i}`).join(' || ')})`);
  if (exclude.length > 0) idTests.push(exclude.map((i) => `args->id != ${i}`).join(' && '));
  return { numbers, include, exclude, idFilter: idTests.length > 0 ? ` && ${idTests.join(' && ')}` : '' };
}

function fullTimingProbes(inSet: string, idFilter: string): string[] {
  return [
    `tracepoint:raw_syscalls:sys_enter {
  $cg = cgroup;
  if (${inSet}${idFilter}) { @ss[tid] = nsecs; }
}`,
    `tracepoint:raw_syscalls:sys_exit {
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
}`,
  ];
}

/** Adds the sampled-timing probes and returns the syscalls that got a counter of their own. */
function sampledTimingProbes(inSet: string, filter: SyscallFilter, sample: number, parts: Parts): number[] {
  const { include, exclude, numbers, idFilter } = filter;
  parts.maps['@syt'] = 'syscall-latency';
  parts.printed.push('@syt');
  // The kernel allows 64 maps per program, so only up to MAX_COUNTED syscalls get their own
  // per-CPU array counter: the include list, or else the calls that dominate most workloads.
  // The rest are counted exactly too, in one keyed map (~110 ns a call instead of ~20).
  const hot = include.length > 0 ? include : HOT_SYSCALLS.flatMap((n) => numbers.get(n) ?? []);
  const countedSyscalls = [...new Set(hot)]
    .filter((i) => !exclude.includes(i))
    .slice(0, MAX_COUNTED)
    .sort((a, b) => a - b);
  for (const id of countedSyscalls) parts.printed.push(`@sn_${id}`);
  parts.printed.push('@sn_other');
  parts.maps['@sn_other'] = 'syscall-count';
  const pow2 = (sample & (sample - 1)) === 0;
  const pick = pow2 ? `(rand & ${sample - 1}) == 0` : `(rand % ${sample}) == 0`;
  // Counted on entry, where the cgroup test already runs; the exit needs no cgroup test:
  // only a sampled call of ours has a start, so one lookup by tid decides.
  parts.probes.push(`tracepoint:raw_syscalls:sys_enter {
  $cg = cgroup;
  if (${inSet}${idFilter}) {
    $id = args->id;
${countTree(countedSyscalls, '    ')}
    if (${pick}) { @ss[tid] = nsecs; }
  }
}`);
  // The clock is read first: reading it after the delete put the delete (~100 ns) inside
  // every sampled latency, 25-35% high on getppid.
  parts.probes.push(`tracepoint:raw_syscalls:sys_exit {
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
  return countedSyscalls;
}

function syscallProbes(opts: ProgramOptions, syscalls: EbpfSyscallSpec, inSet: string, parts: Parts): Pick<BuiltProgram, 'countedSyscalls' | 'sample'> {
  const filter = syscallFilter(opts, syscalls);
  const sample = Math.max(1, Math.floor(syscalls.sample));
  parts.maps['@sys'] = 'syscall-latency';
  parts.printed.push('@sys');
  if (sample > 1) return { countedSyscalls: sampledTimingProbes(inSet, filter, sample, parts), sample };
  parts.probes.push(...fullTimingProbes(inSet, filter.idFilter));
  return { countedSyscalls: null, sample };
}

/**
 * Marker: kdelta renames itself `kdm<n>`. The maps are printed, then the marker line;
 * bpftrace reads them in that order, so once the marker is read the snapshot is whole.
 */
function programText(opts: ProgramOptions, { probes, printed }: Parts): string {
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
  return text + '\n';
}

export function buildProgram(opts: ProgramOptions): BuiltProgram {
  const { spec } = opts;
  const inSet = `(${cgroupTest(opts.cgroupIds)})`;
  const preempted = opts.preemptedStateBit ?? DEFAULT_PREEMPTED_STATE_BIT;
  const parts: Parts = { maps: {}, probes: [], printed: [] };
  const { countedSyscalls, sample } = spec.syscalls ? syscallProbes(opts, spec.syscalls, inSet, parts) : { countedSyscalls: null, sample: 1 };
  if (spec.readyDelay) {
    parts.maps['@rd'] = 'ready-delay';
    parts.maps['@rdt'] = 'ready-delay';
    parts.printed.push('@rd', '@rdt');
    parts.probes.push(...readyDelayProbes(inSet, preempted, spec.syscalls !== false));
  } else if (spec.syscalls) {
    parts.probes.push(syscallExitCleanupProbe());
  }
  if (spec.irq) {
    parts.maps['@hi'] = 'hardirq';
    parts.maps['@hiw'] = 'hardirq-workload';
    parts.maps['@sf'] = 'softirq';
    parts.maps['@sfw'] = 'softirq-workload';
    parts.printed.push('@hi', '@hiw', '@sf', '@sfw');
    parts.probes.push(irqProbe(inSet));
  }
  return { text: programText(opts, parts), maps: parts.maps, syscallCountPrefix: '@sn_', countedSyscalls, sample };
}

function usesMap(probes: string[], name: string): boolean {
  const re = new RegExp(`${name.replace('@', '@')}\\[`);
  return probes.some((p) => re.test(p) || p.includes(`${name} =`));
}
