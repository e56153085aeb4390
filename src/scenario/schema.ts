import type { FromSchema } from 'json-schema-to-ts';
import { BOUNDS } from './bounds.js';

/**
 * Patterns shared by the schema and the error translator in messages.ts: an ajv `pattern` error
 * carrying one of these is turned into a message that says what a duration or a percentage
 * looks like, instead of echoing the regular expression.
 */
export const DURATION_PATTERN = '^[0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m)$';
export const PERCENT_PATTERN = '^[0-9]+(\\.[0-9]+)?%$';
export const NAME_PATTERN = '^[a-z0-9][a-z0-9._-]*$';
export const WORKLOAD_METRIC_NAME_PATTERN = '^[a-z0-9_][a-z0-9_.-]*$';
export const SYSCALL_NAME_PATTERN = '^[a-z_][a-z0-9_]*$';

const duration = {
  type: 'string',
  pattern: DURATION_PATTERN,
  description: 'A duration: a number with ns, us, ms, s or m, e.g. 250ms, 2s, 1m.',
} as const;

const percent = {
  type: 'string',
  pattern: PERCENT_PATTERN,
  description: 'A percentage, e.g. 5%.',
} as const;

const alpha = {
  type: 'number',
  exclusiveMinimum: 0,
  exclusiveMaximum: 1,
  description: 'Significance level of the test, e.g. 0.05.',
} as const;

const workloadMetric = {
  type: 'object',
  description: 'A figure the workload prints itself, picked from stdout by a regex with one capture group.',
  properties: {
    name: { type: 'string', pattern: WORKLOAD_METRIC_NAME_PATTERN, description: 'Becomes the metric workload.<name>.' },
    regex: { type: 'string', minLength: 1 },
    unit: { type: 'string', minLength: 1 },
    better: { enum: ['lower', 'higher'] },
  },
  required: ['name', 'regex', 'unit', 'better'],
  additionalProperties: false,
} as const;

const builtin = {
  type: 'object',
  description: 'A synthetic load shipped with kdelta.',
  properties: {
    name: { enum: ['cpu-contention', 'syscall-loop', 'pipe-pingpong', 'fsync-write', 'loopback-tcp'] },
    threads: { type: 'integer', minimum: 1, description: 'Busy threads (cpu-contention), ping-pong pairs (pipe-pingpong). Default 2.' },
    duration: { ...duration, description: 'How long time-bound loads run. Default 2s.' },
    count: { type: 'integer', minimum: 1, description: 'Operations: syscalls, round trips, writes or bytes. Default 100000.' },
    cpu: { type: ['integer', 'null'], minimum: 0, description: 'Pin the load to this CPU. Default: not pinned.' },
  },
  required: ['name'],
  additionalProperties: false,
} as const;

const tinybench = {
  type: 'object',
  description: 'A JS module whose exported functions run in-process under tinybench.',
  properties: {
    module: { type: 'string', minLength: 1, description: 'Path relative to the scenario file.' },
    time: { ...duration, description: 'Time budget per task. Default 1s.' },
    iterations: { type: 'integer', minimum: 1, description: 'Minimum iterations per task. Default 64.' },
  },
  required: ['module'],
  additionalProperties: false,
} as const;

const service = {
  type: 'object',
  description: 'A long-running process (a server) started once per scenario, before the warm-up, in a cgroup of its own; the command is the driver that loads it in each repetition.',
  properties: {
    command: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'argv, run without a shell; it must not daemonise.' },
    ready: {
      type: 'object',
      description: 'When the service is ready for the first repetition: exactly one of tcp, stdout, delay.',
      properties: {
        tcp: { type: 'string', minLength: 1, description: '`host:port` that accepts a TCP connection, e.g. 127.0.0.1:18080.' },
        stdout: { type: 'string', minLength: 1, description: 'A regex (RE2) a line of its stdout or stderr matches.' },
        delay: { ...duration, description: 'A fixed wait.' },
      },
      oneOf: [{ required: ['tcp'] }, { required: ['stdout'] }, { required: ['delay'] }],
      additionalProperties: false,
    },
    timeout: { ...duration, description: 'How long it may take to be ready. Default 30s.' },
    env: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: BOUNDS.envVars, description: 'Extra environment.' },
    cwd: { type: 'string', minLength: 1, description: 'Working folder, relative to the scenario file.' },
  },
  required: ['command', 'ready'],
  additionalProperties: false,
} as const;

const workload = {
  type: 'object',
  description: 'What to run: exactly one of command, builtin, tinybench.',
  properties: {
    command: {
      type: 'array',
      items: { type: 'string' },
      minItems: 1,
      description: 'argv, run without a shell.',
    },
    builtin,
    tinybench,
    service,
    env: {
      type: 'object',
      additionalProperties: { type: 'string' },
      maxProperties: BOUNDS.envVars,
      description: 'Extra environment (command only).',
    },
    cwd: { type: 'string', minLength: 1, description: 'Working folder, relative to the scenario file (command only).' },
    timeout: { ...duration, description: 'Per repetition, at most 2147483647ms (Node timers). Default 10m.' },
    metrics: { type: 'array', items: workloadMetric, maxItems: BOUNDS.workloadMetrics },
  },
  oneOf: [{ required: ['command'] }, { required: ['builtin'] }, { required: ['tinybench'] }],
  additionalProperties: false,
} as const;

const syscalls = {
  anyOf: [
    { type: 'boolean' },
    {
      type: 'object',
      properties: {
        include: {
          type: 'array',
          items: { type: 'string', pattern: SYSCALL_NAME_PATTERN },
          maxItems: BOUNDS.syscallNames,
          description: 'Syscall names to time; empty: all.',
        },
        exclude: { type: 'array', items: { type: 'string', pattern: SYSCALL_NAME_PATTERN }, maxItems: BOUNDS.syscallNames },
        exclude_blocking: { type: 'boolean', description: 'Leave poll, futex, epoll_wait, nanosleep, ... out of totals.' },
        sample: { type: 'integer', minimum: 1, description: 'Time one call in N. Default 1.' },
        events: {
          type: 'object',
          description: 'Each call slower than `over` as an event with its thread, duration and stacks (report.json, summary.md); at most `max` per repetition, the rest counted as dropped.',
          properties: {
            over: { ...duration, description: `The threshold, at least ${BOUNDS.slowCallOverMinMs * 1000}us. Default 1ms.` },
            max: { type: 'integer', minimum: 1, maximum: BOUNDS.slowCallEventsMax, description: 'Events kept per repetition. Default 50.' },
            stacks: { type: 'boolean', description: 'User and kernel stacks, symbolized. Default true.' },
          },
          additionalProperties: false,
        },
      },
      additionalProperties: false,
    },
  ],
} as const;

const probe = {
  type: 'string',
  minLength: 1,
  maxLength: 4096,
  description: 'usdt:BINARY:PROVIDER:NAME, uprobe:BINARY:FUNCTION, uretprobe:BINARY:FUNCTION or tracepoint:SYSTEM:NAME (BINARY absolute, relative to the scenario file, or a name on PATH).',
} as const;

const window = {
  type: 'object',
  description: 'Trigger windows: only the time between a start probe and the next stop probe counts (window.count, window.duration.*, and every eBPF metric restricted to the windows).',
  properties: {
    start: probe,
    stop: probe,
    min: { ...duration, description: 'Windows shorter than this are left out of window.count and window.duration.*. Default: none left out.' },
    per: { enum: ['thread', 'process'], description: 'A window opened by a thread covers that thread (default) or its whole process.' },
  },
  required: ['start', 'stop'],
  additionalProperties: false,
} as const;

const collect = {
  type: 'object',
  properties: {
    proc: {
      anyOf: [
        { type: 'boolean' },
        {
          type: 'object',
          properties: {
            interval: { ...duration, description: 'Sampling interval, at least 10ms. Default 250ms.' },
            net: { type: 'boolean', description: 'softnet_stat, /proc/net/snmp and netstat, per-device counters (net.softnet.*, net.snmp.*, net.dev.*). Default false.' },
            memory: { type: 'boolean', description: '/proc/vmstat deltas (mem.vmstat.*). Default false.' },
          },
          additionalProperties: false,
        },
      ],
    },
    ebpf: {
      anyOf: [
        { type: 'boolean' },
        {
          type: 'object',
          properties: {
            ready_delay: { type: 'boolean' },
            syscalls,
            irq: { type: 'boolean' },
            timeline: { type: 'boolean', description: 'Where the thread groups ran: on-CPU time and switches per CPU and time slot, ready delay per slot (report.html heat maps), at most 200 slots a repetition; needs ready_delay and the libbpf capture. Default true.' },
            threads: { type: 'boolean', description: 'Per thread group: syscalls, on-CPU run time, interrupts (thread.<group>.*). Default false.' },
            net: { type: 'boolean', description: 'skb drops by reason, consumes, packets per device, TCP retransmits and resets. Default false.' },
            block: { type: 'boolean', description: 'block request latency, bytes and queue depth per device and operation. Default false.' },
            faults: { type: 'boolean', description: "the workload's page faults (mem.faults.*). Default false." },
            runqueue: { type: 'boolean', description: 'run-queue length sampled per CPU at 99 Hz. Default false.' },
            smp_calls: { type: 'boolean', description: 'cross-CPU function calls (kernel.smp_call.count). Default false.' },
            window,
          },
          additionalProperties: false,
        },
      ],
    },
    roles: {
      type: 'object',
      description: 'Thread name pattern (glob, or /regex/) to thread group name; the first match wins, else digits are folded (worker12 -> worker*).',
      propertyNames: { minLength: 1, maxLength: 200 },
      additionalProperties: { type: 'string', pattern: '^[A-Za-z0-9_*-]{1,64}$' },
      maxProperties: 64,
    },
    require: {
      type: 'array',
      items: { enum: ['proc', 'ebpf', 'kernel', 'events'] },
      uniqueItems: true,
      description: 'Collectors that must run here, else the run exits 3.',
    },
  },
  additionalProperties: false,
} as const;

const gate = {
  type: 'object',
  properties: {
    alpha,
    tolerance: { ...percent, description: 'Smallest change that counts as a regression. Default 5%.' },
    correction: { enum: ['holm', 'bh', 'none'] },
    test: { enum: ['mann-whitney', 'welch', 'bootstrap'] },
    require_same_machine: { type: 'boolean' },
    metrics: {
      type: 'object',
      description: 'Metric names or * patterns that gate; the rest are reported.',
      maxProperties: BOUNDS.gateMetrics,
      additionalProperties: {
        anyOf: [
          {
            type: 'object',
            properties: { tolerance: percent, alpha },
            additionalProperties: false,
          },
          { type: 'null' },
        ],
      },
    },
    limits: {
      type: 'array',
      description: 'Absolute limits, `<metric> <op> <value><unit>`: on the median, or on each repetition.',
      maxItems: BOUNDS.limits,
      items: {
        anyOf: [
          { type: 'string' },
          {
            type: 'object',
            properties: { each: { type: 'string' } },
            required: ['each'],
            additionalProperties: false,
          },
        ],
      },
    },
  },
  additionalProperties: false,
} as const;

/** The scenario file format (YAML or JSON, one scenario per file). Committed as schemas/scenario.schema.json. */
export const scenarioSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'kdelta scenario',
  type: 'object',
  properties: {
    name: { type: 'string', pattern: NAME_PATTERN, maxLength: BOUNDS.nameChars, description: 'Unique across scenarios.' },
    description: { type: 'string', maxLength: BOUNDS.descriptionChars },
    workload,
    repetitions: {
      type: 'integer',
      minimum: BOUNDS.repetitions.min,
      maximum: BOUNDS.repetitions.max,
      description: 'Counted repetitions. Default 10.',
    },
    warmup: {
      type: 'integer',
      minimum: BOUNDS.warmup.min,
      maximum: BOUNDS.warmup.max,
      description: 'Repetitions run first and thrown away. Default 1.',
    },
    rounds: {
      type: 'object',
      description: 'kdelta ab: rounds of both sides, at least min, at most max, stopping once every gated metric is decided. --rounds overrides. Default 5 to 30.',
      properties: {
        min: { type: 'integer', minimum: BOUNDS.rounds.min, maximum: BOUNDS.rounds.max },
        max: { type: 'integer', minimum: BOUNDS.rounds.min, maximum: BOUNDS.rounds.max },
      },
      required: ['min', 'max'],
      additionalProperties: false,
    },
    collect,
    gate,
  },
  required: ['name', 'workload'],
  additionalProperties: false,
} as const;

/** A scenario file as written, after schema validation. */
export type ScenarioFile = FromSchema<typeof scenarioSchema>;
