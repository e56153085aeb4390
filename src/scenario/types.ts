import type { Better } from '../metrics/types.js';

/**
 * A scenario after loading and validation: durations in ms, percentages as fractions,
 * paths absolute. The file format (YAML/JSON) is described by schemas/scenario.schema.json;
 * this is what the rest of the pipeline sees.
 */
export interface Scenario {
  name: string;
  description: string;
  /** Absolute path of the file it came from. */
  file: string;
  workload: WorkloadSpec;
  repetitions: number;
  warmup: number;
  /** `kdelta ab` only: the rounds of both sides (at least min, at most max); absent means the command's default. */
  rounds?: { min: number; max: number };
  collect: CollectSpec;
  gate: GateSpec;
}

/** A figure the workload prints itself, picked from stdout by a regex with one capture group. */
export interface WorkloadMetricSpec {
  name: string;
  regex: string;
  unit: string;
  better: Better;
}

interface WorkloadCommon {
  /** Kills the whole repetition (every process in its cgroup) when exceeded. */
  timeoutMs: number;
  metrics: WorkloadMetricSpec[];
}

export type BuiltinName = 'cpu-contention' | 'syscall-loop' | 'pipe-pingpong' | 'fsync-write' | 'loopback-tcp';

export type ServiceReady = { kind: 'tcp'; host: string; port: number } | { kind: 'stdout'; regex: string } | { kind: 'delay'; ms: number };

/** A long-running process started once per scenario; the command workload is its driver. */
export interface ServiceSpec {
  argv: [string, ...string[]];
  env: Record<string, string>;
  /** Absolute. */
  cwd: string;
  ready: ServiceReady;
  /** How long it may take to become ready. */
  timeoutMs: number;
}

export type WorkloadSpec =
  | (WorkloadCommon & {
      kind: 'command';
      argv: [string, ...string[]];
      env: Record<string, string>;
      /** Absolute; relative paths in the file are resolved against the scenario file's folder. */
      cwd: string;
      /** The server the command loads (the command is then its driver). */
      service?: ServiceSpec;
    })
  | (WorkloadCommon & {
      kind: 'builtin';
      name: BuiltinName;
      /** Busy threads (cpu-contention), ping-pong pairs (pipe-pingpong). */
      threads: number;
      durationMs: number;
      /** Number of operations: syscalls (syscall-loop), round trips (pipe-pingpong), writes (fsync-write), bytes (loopback-tcp). */
      count: number;
      /** Pin the load to this CPU (overhead measurements), or null for no pinning. */
      cpu: number | null;
    })
  | (WorkloadCommon & {
      kind: 'tinybench';
      /** Absolute path of the JS module; its tasks are its exported functions (or a default export object of them). */
      module: string;
      timeMs: number;
      iterations: number;
    });

export interface EbpfSyscallSpec {
  /** Syscall names to time; empty means all. */
  include: string[];
  exclude: string[];
  /** Leave blocking calls (poll, futex, epoll_wait, nanosleep, ...) out of syscall totals, as kernel_delay does. */
  excludeBlocking: boolean;
  /** Time one call in N (every call is still counted). 1 = time every call. */
  sample: number;
}

/** `collect.roles`: a thread name pattern (a glob, or a /regex/ in RE2 syntax) and the group it names. */
export interface RoleRule {
  pattern: string;
  role: string;
}

export interface EbpfSpec {
  readyDelay: boolean;
  syscalls: EbpfSyscallSpec | false;
  irq: boolean;
  /** Per thread group syscalls, run time and interrupts (`collect.ebpf.threads`). Off when absent. */
  threads?: boolean;
  /** Per (thread group, CPU, time slot) on-CPU time and switches, ready delay per slot (`collect.ebpf.timeline`). On unless the scenario sets it false. */
  timeline?: boolean;
  /** `collect.roles`, in file order: the first that matches a thread name names its group. */
  roles?: readonly RoleRule[];
  /** `collect.ebpf.window`: trigger windows. Off when absent. */
  window?: WindowSpec;
}

/** A window probe, its binary made absolute (for a tracepoint, `target` is the system). */
export interface WindowProbe {
  kind: 'usdt' | 'uprobe' | 'uretprobe' | 'tracepoint';
  target: string;
  /** The USDT provider; absent for the other kinds. */
  provider?: string;
  /** The USDT probe's, the function's or the tracepoint's name. */
  name: string;
}

export interface WindowSpec {
  start: WindowProbe;
  stop: WindowProbe;
  /** Windows shorter than this are left out of window.count and window.duration.*; 0 keeps all. */
  minNs: number;
  per: 'thread' | 'process';
}

/** The opt-in tracepoint parts of the kernel collector (`collect.ebpf.net`, ...). */
export interface KernelParts {
  net: boolean;
  block: boolean;
  faults: boolean;
  runqueue: boolean;
  smpCalls: boolean;
}

export type CollectorName = 'proc' | 'ebpf' | 'kernel' | 'events';

export interface CollectSpec {
  /** `net` / `memory`: the opt-in /proc parts (softnet, snmp, device counters; vmstat). */
  proc: { intervalMs: number; net?: boolean; memory?: boolean } | false;
  ebpf: EbpfSpec | false;
  roles?: readonly RoleRule[];
  /** The kernel collector's parts; absent or false when none is switched on. */
  kernel?: KernelParts | false;
  /** `collect.ebpf.syscalls.events`: slow calls as events; absent when not asked for. */
  events?: SlowCallSpec | false;
  /** Collectors that must run here; when one cannot, the run exits 3. */
  require: CollectorName[];
}

/** `collect.ebpf.syscalls.events`: every call slower than `overNs`, at most `max` per repetition. */
export interface SlowCallSpec {
  overNs: number;
  max: number;
  stacks: boolean;
}

export type Comparison = '<' | '<=' | '>' | '>=';
export type StatTest = 'mann-whitney' | 'welch' | 'bootstrap';
export type Correction = 'holm' | 'bh' | 'none';

/** An absolute limit such as `sched.ready_delay.p99 < 2ms`. */
export interface LimitSpec {
  /** The text as written, for messages and JUnit test names. */
  text: string;
  metric: string;
  op: Comparison;
  /** In the metric's base unit (ns for times, 1 for counts, fraction for ratios). */
  value: number;
  /** true: every repetition must satisfy it; false: the median must. */
  each: boolean;
}

export interface GateMetricSpec {
  /** Fraction, e.g. 0.03 for 3%. */
  tolerance: number;
  alpha: number;
}

export interface GateSpec {
  alpha: number;
  tolerance: number;
  correction: Correction;
  test: StatTest;
  /** Gated metrics: name or `*` pattern -> its settings (defaults filled in from the gate). */
  metrics: Record<string, GateMetricSpec>;
  limits: LimitSpec[];
  /** A baseline from another machine class is an error rather than a warning. */
  requireSameMachine: boolean;
}
