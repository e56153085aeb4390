import { dirname, resolve } from 'node:path';
import { SCENARIO_DEFAULTS } from './defaults.js';
import type { ParsedValues } from './rules/index.js';
import type { ScenarioFile } from './schema.js';
import type { CollectSpec, EbpfSpec, EbpfSyscallSpec, GateMetricSpec, GateSpec, KernelParts, Scenario, WorkloadSpec } from './types.js';

function normalizeWorkload(w: ScenarioFile['workload'], values: ParsedValues, folder: string): WorkloadSpec {
  const ms = values.durationsMs;
  const common = {
    timeoutMs: ms.timeout ?? SCENARIO_DEFAULTS.timeoutMs,
    metrics: (w.metrics ?? []).map((m) => ({ name: m.name, regex: m.regex, unit: m.unit, better: m.better })),
  };
  if (w.command) {
    const [first, ...rest] = w.command;
    return { ...common, kind: 'command', argv: [first as string, ...rest], env: { ...(w.env ?? {}) }, cwd: resolve(folder, w.cwd ?? '.') };
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

function normalizeCollect(c: ScenarioFile['collect'], values: ParsedValues): CollectSpec {
  const ebpf = c?.ebpf;
  let ebpfSpec: EbpfSpec | false = false;
  let kernel: KernelParts | false = false;
  if (ebpf !== false) {
    const e = typeof ebpf === 'object' ? ebpf : {};
    ebpfSpec = { readyDelay: e.ready_delay ?? true, irq: e.irq ?? true, syscalls: normalizeSyscalls(e.syscalls) };
    const parts = { net: e.net ?? false, block: e.block ?? false, faults: e.faults ?? false, runqueue: e.runqueue ?? false, smpCalls: e.smp_calls ?? false };
    if (Object.values(parts).some(Boolean)) kernel = parts;
  }
  const p = typeof c?.proc === 'object' ? c.proc : {};
  return {
    // The opt-in parts appear only when switched on, so a scenario without them reads as before.
    proc: c?.proc === false ? false : { intervalMs: values.durationsMs.procInterval ?? SCENARIO_DEFAULTS.procIntervalMs, ...(p.net === true && { net: true }), ...(p.memory === true && { memory: true }) },
    ebpf: ebpfSpec,
    ...(kernel && { kernel }),
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
    collect: normalizeCollect(file.collect, values),
    gate: normalizeGate(file.gate, values),
  };
}
