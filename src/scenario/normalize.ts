import { dirname, isAbsolute, resolve } from 'node:path';
import { InternalError } from '../errors.js';
import { SCENARIO_DEFAULTS } from './defaults.js';
import { parseProbe } from './probes.js';
import { parseTcpAddress } from './regex.js';
import type { ParsedValues } from './rules/index.js';
import type { ScenarioFile } from './schema.js';
import type { CollectSpec, EbpfSpec, EbpfSyscallSpec, GateMetricSpec, GateSpec, KernelParts, RoleRule, Scenario, ServiceReady, ServiceSpec, SlowCallSpec, WindowProbe, WindowSpec, WorkloadSpec } from './types.js';

type ServiceFile = NonNullable<ScenarioFile['workload']['service']>;

function normalizeService(s: ServiceFile, values: ParsedValues, folder: string): ServiceSpec {
  const [first, ...rest] = s.command;
  const ms = values.durationsMs;
  let ready: ServiceReady;
  if (s.ready.tcp !== undefined) {
    const address = parseTcpAddress(s.ready.tcp);
    if (!address.ok) throw new InternalError(`service address passed the rules but does not parse: ${address.error}`);
    ready = { kind: 'tcp', ...address.value };
  } else if (s.ready.stdout !== undefined) ready = { kind: 'stdout', regex: s.ready.stdout };
  else ready = { kind: 'delay', ms: ms.serviceDelay ?? 0 };
  return {
    argv: [first as string, ...rest],
    env: { ...(s.env ?? {}) },
    cwd: resolve(folder, s.cwd ?? '.'),
    ready,
    timeoutMs: ms.serviceTimeout ?? SCENARIO_DEFAULTS.serviceTimeoutMs,
  };
}

function normalizeWorkload(w: ScenarioFile['workload'], values: ParsedValues, folder: string): WorkloadSpec {
  const ms = values.durationsMs;
  const common = {
    timeoutMs: ms.timeout ?? SCENARIO_DEFAULTS.timeoutMs,
    metrics: (w.metrics ?? []).map((m) => ({ name: m.name, regex: m.regex, unit: m.unit, better: m.better })),
  };
  if (w.command) {
    const [first, ...rest] = w.command;
    const cwd = resolve(folder, w.cwd ?? '.');
    return { ...common, kind: 'command', argv: [first as string, ...rest], env: { ...(w.env ?? {}) }, cwd, ...(w.service && { service: normalizeService(w.service, values, folder) }) };
  }
  if (w.builtin) {
    const d = SCENARIO_DEFAULTS.builtin;
    return {
      ...common,
      kind: 'builtin',
      name: w.builtin.name,
      threads: w.builtin.threads ?? d.threads,
      durationMs: ms.builtinDuration ?? d.durationMs,
      count: w.builtin.count ?? d.count,
      cpu: w.builtin.cpu ?? d.cpu,
    };
  }
  const t = w.tinybench as NonNullable<ScenarioFile['workload']['tinybench']>;
  return {
    ...common,
    kind: 'tinybench',
    module: resolve(folder, t.module),
    timeMs: ms.tinybenchTime ?? SCENARIO_DEFAULTS.tinybench.timeMs,
    iterations: t.iterations ?? SCENARIO_DEFAULTS.tinybench.iterations,
  };
}

type SyscallsFile = NonNullable<Exclude<NonNullable<NonNullable<ScenarioFile['collect']>['ebpf']>, boolean>['syscalls']>;

function normalizeSyscalls(s: SyscallsFile | undefined): EbpfSyscallSpec | false {
  if (s === false) return false;
  const o = typeof s === 'object' ? s : {};
  return {
    include: [...(o.include ?? [])],
    exclude: [...(o.exclude ?? [])],
    excludeBlocking: o.exclude_blocking ?? false,
    sample: o.sample ?? SCENARIO_DEFAULTS.syscallSample,
  };
}

type WindowFile = NonNullable<Exclude<NonNullable<NonNullable<ScenarioFile['collect']>['ebpf']>, boolean>['window']>;

/** A bare binary name stays as written: the loader looks it up on PATH, as the rule did. */
function windowProbe(text: string, folder: string): WindowProbe {
  const parsed = parseProbe(text);
  if (!parsed.ok) throw new InternalError(`window probe passed the rules but does not parse: ${parsed.error}`);
  const p = parsed.probe;
  if (p.kind === 'tracepoint' || isAbsolute(p.target) || !p.target.includes('/')) return p;
  return { ...p, target: resolve(folder, p.target) };
}

function normalizeWindow(w: WindowFile, values: ParsedValues, folder: string): WindowSpec {
  return {
    start: windowProbe(w.start, folder),
    stop: windowProbe(w.stop, folder),
    minNs: Math.round((values.durationsMs.windowMin ?? 0) * 1e6),
    per: w.per ?? 'thread',
  };
}

function normalizeCollect(c: ScenarioFile['collect'], values: ParsedValues, folder: string): CollectSpec {
  const ebpf = c?.ebpf;
  const roles: RoleRule[] = Object.entries(c?.roles ?? {}).map(([pattern, role]) => ({ pattern, role }));
  let ebpfSpec: EbpfSpec | false = false;
  let kernel: KernelParts | false = false;
  if (ebpf !== false) {
    const e = typeof ebpf === 'object' ? ebpf : {};
    ebpfSpec = { readyDelay: e.ready_delay ?? true, irq: e.irq ?? true, syscalls: normalizeSyscalls(e.syscalls) };
    if (e.threads === true) ebpfSpec.threads = true;
    // On unless the scenario opts out: bounded (at most 200 slots a repetition) and cheap in the libbpf capture.
    if (e.timeline !== false) ebpfSpec.timeline = true;
    if (roles.length > 0) ebpfSpec.roles = roles;
    if (e.window) ebpfSpec.window = normalizeWindow(e.window, values, folder);
    const parts = { net: e.net ?? false, block: e.block ?? false, faults: e.faults ?? false, runqueue: e.runqueue ?? false, smpCalls: e.smp_calls ?? false };
    if (Object.values(parts).some(Boolean)) kernel = parts;
  }
  const ev = typeof ebpf === 'object' && typeof ebpf.syscalls === 'object' ? ebpf.syscalls.events : undefined;
  const events: SlowCallSpec | undefined = ev && {
    overNs: Math.round((values.durationsMs.slowCallOver ?? SCENARIO_DEFAULTS.slowCallOverMs) * 1e6),
    max: ev.max ?? SCENARIO_DEFAULTS.slowCallMax,
    stacks: ev.stacks ?? true,
  };
  const p = typeof c?.proc === 'object' ? c.proc : {};
  return {
    ...(roles.length > 0 ? { roles } : {}),
    // The opt-in parts appear only when switched on, so a scenario without them reads as before.
    proc: c?.proc === false ? false : { intervalMs: values.durationsMs.procInterval ?? SCENARIO_DEFAULTS.procIntervalMs, ...(p.net === true && { net: true }), ...(p.memory === true && { memory: true }) },
    ebpf: ebpfSpec,
    ...(kernel && { kernel }),
    ...(events && { events }),
    require: [...(c?.require ?? [])],
  };
}

function normalizeGate(g: ScenarioFile['gate'], values: ParsedValues): GateSpec {
  const alpha = g?.alpha ?? SCENARIO_DEFAULTS.alpha;
  const tolerance = values.tolerance ?? SCENARIO_DEFAULTS.tolerance;
  const metrics: Record<string, GateMetricSpec> = {};
  if (g?.metrics === undefined) {
    for (const name of SCENARIO_DEFAULTS.gatedMetrics) metrics[name] = { tolerance, alpha };
  } else {
    for (const [pattern, spec] of Object.entries(g.metrics)) {
      metrics[pattern] = { tolerance: values.metricTolerances.get(pattern) ?? tolerance, alpha: spec?.alpha ?? alpha };
    }
  }
  return {
    alpha,
    tolerance,
    correction: g?.correction ?? SCENARIO_DEFAULTS.correction,
    test: g?.test ?? SCENARIO_DEFAULTS.test,
    metrics,
    limits: [...values.limits],
    requireSameMachine: g?.require_same_machine ?? SCENARIO_DEFAULTS.requireSameMachine,
  };
}

/**
 * The Scenario the pipeline sees, from a file that passed the schema and every rule: defaults
 * filled in, relative paths made absolute, and the durations, tolerances and limits the rules
 * parsed (not parsed again here).
 */
export function normalizeScenario(file: ScenarioFile, values: ParsedValues, absFile: string): Scenario {
  return {
    name: file.name,
    description: file.description ?? '',
    file: absFile,
    workload: normalizeWorkload(file.workload, values, dirname(absFile)),
    repetitions: file.repetitions ?? SCENARIO_DEFAULTS.repetitions,
    warmup: file.warmup ?? SCENARIO_DEFAULTS.warmup,
    ...(file.rounds && { rounds: { min: file.rounds.min, max: file.rounds.max } }),
    collect: normalizeCollect(file.collect, values, dirname(absFile)),
    gate: normalizeGate(file.gate, values),
  };
}
