import { isRecord, type Finding } from '../problem.js';
import { baseUnitOfMetric } from '../units.js';
import type { LimitSpec } from '../types.js';

/** Every duration a scenario file holds, by where it is. */
export const DURATION_FIELDS = {
  timeout: ['workload', 'timeout'],
  builtinDuration: ['workload', 'builtin', 'duration'],
  tinybenchTime: ['workload', 'tinybench', 'time'],
  procInterval: ['collect', 'proc', 'interval'],
  serviceTimeout: ['workload', 'service', 'timeout'],
  serviceDelay: ['workload', 'service', 'ready', 'delay'],
  windowMin: ['collect', 'ebpf', 'window', 'min'],
  slowCallOver: ['collect', 'ebpf', 'syscalls', 'events', 'over'],
} as const;

export type DurationField = keyof typeof DURATION_FIELDS;

/**
 * Values the rules parse while checking them, kept so normalizing reads the same numbers
 * instead of parsing the text a second time (and perhaps dropping what fails there).
 */
export interface ParsedValues {
  durationsMs: Partial<Record<DurationField, number>>;
  /** gate.tolerance as a fraction. */
  tolerance: number | undefined;
  /** gate.metrics[pattern].tolerance as fractions. */
  metricTolerances: Map<string, number>;
  /** gate.limits, in file order; complete only when no rule found a problem. */
  limits: LimitSpec[];
}

export interface RuleOptions {
  /** The architecture whose syscall table names are checked against, as process.arch or `uname -m` spell it. */
  arch: string;
  /** The scenario file's folder, which relative paths in it (window probe binaries) start from. */
  folder?: string;
  /** The scenario file's absolute path, for rules about paths relative to it; such rules are skipped without it. */
  file?: string;
}

/**
 * What a rule sees: the data as written (any shape: rules look only at values of the shape
 * they check, so schema errors are not repeated), and where to put what it finds.
 */
export class RuleContext {
  readonly findings: Finding[] = [];
  readonly values: ParsedValues = { durationsMs: {}, tolerance: undefined, metricTolerances: new Map(), limits: [] };
  private units: Map<string, string> | undefined;

  constructor(
    readonly raw: Record<string, unknown>,
    readonly options: RuleOptions,
  ) {}

  report(path: readonly string[], at: 'key' | 'value', message: string): void {
    this.findings.push({ path, at, message });
  }

  /** The value at a path of mapping keys, or undefined where the path leaves the mappings. */
  get(path: readonly string[]): unknown {
    let node: unknown = this.raw;
    for (const key of path) {
      if (!isRecord(node)) return undefined;
      node = node[key];
    }
    return node;
  }

  /** The mapping at a path, or undefined. */
  record(path: readonly string[]): Record<string, unknown> | undefined {
    const v = this.get(path);
    return isRecord(v) ? v : undefined;
  }

  /** The list at a path, or an empty one. */
  list(path: readonly string[]): readonly unknown[] {
    const v = this.get(path);
    return Array.isArray(v) ? v : [];
  }

  /** A metric's base unit: a workload figure's declared unit, else what its name says. */
  unitOf(metric: string): string | null {
    if (!this.units) {
      this.units = new Map();
      for (const m of this.list(['workload', 'metrics'])) {
        if (isRecord(m) && typeof m.name === 'string' && typeof m.unit === 'string' && !this.units.has(m.name)) this.units.set(m.name, m.unit);
      }
    }
    const declared = metric.startsWith('workload.') ? this.units.get(metric.slice('workload.'.length)) : undefined;
    return declared ?? baseUnitOfMetric(metric);
  }
}

/** One check the schema cannot express, named so a reader of the list sees what is checked. */
export interface Rule {
  name: string;
  check(ctx: RuleContext): void;
}
