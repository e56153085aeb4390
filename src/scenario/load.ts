import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import {
  DURATION_PATTERN,
  NAME_PATTERN,
  PERCENT_PATTERN,
  SYSCALL_NAME_PATTERN,
  WORKLOAD_METRIC_NAME_PATTERN,
  scenarioSchema,
  type ScenarioFile,
} from './schema.js';
import { DURATION_HINT, PERCENT_HINT, parseDurationMs, parseLimit, parsePercentFraction, baseUnitOfMetric } from './units.js';
import { metricPatternProblem } from './metric-names.js';
import { closestMatch } from './suggest.js';
import type { CollectSpec, EbpfSpec, GateMetricSpec, GateSpec, LimitSpec, Scenario, WorkloadSpec } from './types.js';

/** One thing wrong with a scenario file, where it is. line/col are 1-based; 0 when the problem has no position (unreadable file). */
export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
}

/** `file:line:col: message` (or `file: message` when there is no position), the shape editors and CI annotations link. */
export function formatProblem(p: Problem): string {
  return p.line > 0 ? `${p.file}:${p.line}:${p.col}: ${p.message}` : `${p.file}: ${p.message}`;
}

export const SCENARIO_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

/** Defaults the file may leave out. */
export const SCENARIO_DEFAULTS = {
  repetitions: 10,
  warmup: 1,
  procIntervalMs: 250,
  syscallSample: 1,
  timeoutMs: 600_000,
  alpha: 0.05,
  tolerance: 0.05,
  correction: 'holm',
  test: 'mann-whitney',
  requireSameMachine: false,
  builtin: { threads: 2, durationMs: 2000, count: 100_000, cpu: null },
  // tinybench's own defaults, so a scenario that names none behaves like tinybench does elsewhere.
  tinybench: { timeMs: 1000, iterations: 64 },
  /** Gated when the file has no `gate.metrics` at all: a scenario should gate on something. */
  gatedMetrics: ['workload.wall_time'],
} as const;

const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
const validateScenarioFile = ajv.compile<ScenarioFile>(scenarioSchema);

/** A problem found in one file, by the path of the offending node in the document. */
interface Finding {
  path: string[];
  /** Point at the key of the last path segment (unknown keys) or at its value. */
  at: 'key' | 'value';
  message: string;
}

// ---------------------------------------------------------------------------------------
// Positions

/** Line and column (1-based) of the node at `path`, falling back to the deepest node that exists. */
function positionOf(doc: Document, lines: LineCounter, path: readonly string[], at: 'key' | 'value'): { line: number; col: number } {
  let node: unknown = doc.contents;
  let offset = (doc.contents as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i] as string;
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === seg);
      if (!pair) break;
      const keyRange = (pair.key as { range?: [number, number, number] } | null)?.range;
      const valueRange = (pair.value as { range?: [number, number, number] } | null)?.range;
      const last = i === path.length - 1;
      if (last && at === 'key' && keyRange) {
        offset = keyRange[0];
        break;
      }
      // A key with no value (`timeout:`) has an empty value node; point at the key instead.
      const emptyValue = !valueRange || valueRange[0] === valueRange[1];
      offset = !emptyValue && valueRange ? valueRange[0] : (keyRange?.[0] ?? offset);
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)] as { range?: [number, number, number] } | undefined;
      if (!item?.range) break;
      offset = item.range[0];
      node = item;
    } else {
      break;
    }
  }
  return lines.linePos(offset);
}

// ---------------------------------------------------------------------------------------
// Messages

/** `workload.metrics[0].name`, `gate.metrics["irq.node0.share"]`, or `scenario` for the top. */
function pathName(path: readonly string[]): string {
  if (path.length === 0) return 'scenario';
  let out = '';
  for (const seg of path) {
    if (/^[0-9]+$/u.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/u.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return String(v);
}

const TYPE_PHRASE: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'empty',
};

function typePhrase(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => TYPE_PHRASE[String(t)] ?? String(t)).join(' or ');
}

function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeAccepts(schemaType: unknown, actual: string): boolean {
  const types = Array.isArray(schemaType) ? schemaType : [schemaType];
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

/** How a branch of an anyOf reads in a message: `false`, `a mapping with interval`, ... */
function branchPhrase(branch: Record<string, unknown>): string {
  const props = branch.properties as Record<string, unknown> | undefined;
  if (branch.type === 'object' && props) return `a mapping with ${Object.keys(props).join(', ')}`;
  return typePhrase(branch.type);
}

/** `a, b or c` */
function listPhrase(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

function pathOf(e: ErrorObject): string[] {
  return e.instancePath === '' ? [] : e.instancePath.slice(1).split('/').map((s) => s.replace(/~1/gu, '/').replace(/~0/gu, '~'));
}

function isInside(e: ErrorObject, group: ErrorObject, schemaPrefix: string): boolean {
  return (
    e !== group &&
    e.schemaPath.startsWith(schemaPrefix) &&
    (e.instancePath === group.instancePath || e.instancePath.startsWith(`${group.instancePath}/`))
  );
}

/**
 * Turns ajv's errors into one human finding per real mistake. anyOf/oneOf groups are resolved
 * first, outermost first: when the value's type picks one branch, only that branch's errors
 * are kept (`ebpf: {irq: "x"}` is about irq, not about ebpf not being a boolean).
 */
function findingsFromAjv(errors: readonly ErrorObject[]): Finding[] {
  const dropped = new Set<ErrorObject>();
  const findings: Finding[] = [];
  const groups = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const g of groups) {
    if (dropped.has(g)) continue;
    dropped.add(g);
    const branches = (g.schema ?? []) as Array<Record<string, unknown>>;
    const inside = errors.filter((e) => isInside(e, g, `${g.schemaPath}/`));
    const path = pathOf(g);
    const requiredOnly = branches.every((b) => Object.keys(b).length === 1 && Array.isArray(b.required));
    if (requiredOnly) {
      inside.forEach((e) => dropped.add(e));
      if (typeof g.data !== 'object' || g.data === null || Array.isArray(g.data)) continue; // the type error says it
      const keys = branches.map((b) => String((b.required as string[])[0]));
      const present = keys.filter((k) => k in (g.data as object));
      const exactly = `exactly one of ${keys.join(', ')}`;
      if (present.length === 0) findings.push({ path, at: 'value', message: `${pathName(path)} must have ${exactly}` });
      else findings.push({ path: [...path, present[1] as string], at: 'key', message: `${pathName(path)} has ${present.join(' and ')}: it must have ${exactly}` });
      continue;
    }
    const actual = jsonTypeOf(g.data);
    const chosen = branches.findIndex((b) => typeAccepts(b.type, actual));
    if (chosen >= 0) {
      for (const e of inside) if (!isInside(e, g, `${g.schemaPath}/${chosen}/`)) dropped.add(e);
    } else {
      inside.forEach((e) => dropped.add(e));
      const phrases = [...new Set(branches.flatMap((b) => branchPhrase(b).split(' or ')))];
      findings.push({ path, at: 'value', message: `${pathName(path)} must be ${listPhrase(phrases)}, not ${describeValue(g.data)}` });
    }
  }
  for (const e of errors) {
    if (dropped.has(e)) continue;
    const finding = findingFromError(e);
    if (finding) findings.push(finding);
  }
  return findings;
}

function findingFromError(e: ErrorObject): Finding | null {
  const path = pathOf(e);
  const name = pathName(path);
  const data: unknown = e.data;
  const params = e.params as Record<string, unknown>;
  const value = (message: string): Finding => ({ path, at: 'value', message });
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = Object.keys((e.parentSchema?.properties ?? {}) as object);
      const hint = closestMatch(key, allowed);
      const tail = hint ? ` (did you mean "${hint}"?)` : allowed.length ? ` (allowed: ${allowed.join(', ')})` : '';
      return { path: [...path, key], at: 'key', message: `unknown key "${key}" in ${name}${tail}` };
    }
    case 'required':
      return value(`${name} is missing required key "${String(params.missingProperty)}"`);
    case 'type': {
      const quote =
        params.type === 'string' && (typeof data === 'number' || typeof data === 'boolean') ? ` (quote it: "${String(data)}")` : '';
      return value(`${name} must be ${typePhrase(params.type)}, not ${describeValue(data)}${quote}`);
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof data === 'string' ? closestMatch(data, allowed) : null;
      return value(`${name} must be one of ${allowed.join(', ')}, not ${describeValue(data)}${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
    case 'pattern': {
      const pattern = String(params.pattern);
      if (pattern === DURATION_PATTERN) return value(`bad duration ${describeValue(data)} in ${name}: ${DURATION_HINT}`);
      if (pattern === PERCENT_PATTERN) return value(`bad percentage ${describeValue(data)} in ${name}: ${PERCENT_HINT}`);
      if (pattern === NAME_PATTERN) {
        return value(`bad scenario name ${describeValue(data)}: use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit`);
      }
      if (pattern === WORKLOAD_METRIC_NAME_PATTERN) {
        return value(`bad metric name ${describeValue(data)} in ${name}: use lower-case letters, digits, "_", "." and "-"`);
      }
      if (pattern === SYSCALL_NAME_PATTERN) return value(`bad syscall name ${describeValue(data)} in ${name}: use the kernel's name, e.g. read, futex, epoll_wait`);
      return value(`${name} must match ${pattern}, not ${describeValue(data)}`);
    }
    case 'minimum':
      return value(`${name} must be at least ${String(params.limit)}, not ${describeValue(data)}`);
    case 'maximum':
      return value(`${name} must be at most ${String(params.limit)}, not ${describeValue(data)}`);
    case 'exclusiveMinimum':
      return value(`${name} must be more than ${String(params.limit)}, not ${describeValue(data)}`);
    case 'exclusiveMaximum':
      return value(`${name} must be less than ${String(params.limit)}, not ${describeValue(data)}`);
    case 'minItems':
    case 'minLength':
      return value(`${name} must not be empty`);
    case 'uniqueItems': {
      const list = Array.isArray(data) ? data : [];
      return { path: [...path, String(params.i)], at: 'value', message: `${name} lists ${describeValue(list[Number(params.i)])} twice` };
    }
    default:
      return value(`${name} ${e.message ?? 'is not valid'}`);
  }
}

// ---------------------------------------------------------------------------------------
// Checks the schema cannot express

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks that need more than a schema: regexes compile, limits parse against the metric's
 * unit, gate patterns name real metric areas, durations are positive. Runs on the raw data,
 * looking only at values of the right shape, so schema errors are not repeated.
 */
function semanticFindings(raw: unknown): Finding[] {
  const out: Finding[] = [];
  if (!isRecord(raw)) return out;
  const workload = raw.workload;
  const declaredUnits = new Map<string, string>();
  if (isRecord(workload)) {
    for (const key of ['env', 'cwd'] as const) {
      if (key in workload && !('command' in workload)) {
        out.push({ path: ['workload', key], at: 'key', message: `workload.${key} applies only to command workloads` });
      }
    }
    positiveDuration(out, workload.timeout, ['workload', 'timeout']);
    if (isRecord(workload.builtin)) positiveDuration(out, workload.builtin.duration, ['workload', 'builtin', 'duration']);
    if (isRecord(workload.tinybench)) positiveDuration(out, workload.tinybench.time, ['workload', 'tinybench', 'time']);
    if (Array.isArray(workload.metrics)) {
      workload.metrics.forEach((m, i) => {
        if (!isRecord(m)) return;
        const at = ['workload', 'metrics', String(i)];
        if (typeof m.regex === 'string') {
          const problem = regexProblem(m.regex);
          if (problem) out.push({ path: [...at, 'regex'], at: 'value', message: problem });
        }
        if (typeof m.name === 'string') {
          if (declaredUnits.has(m.name)) out.push({ path: [...at, 'name'], at: 'value', message: `workload metric "${m.name}" is declared twice` });
          if (typeof m.unit === 'string') declaredUnits.set(m.name, m.unit);
        }
      });
    }
  }
  const collect = raw.collect;
  if (isRecord(collect)) {
    if (isRecord(collect.proc)) positiveDuration(out, collect.proc.interval, ['collect', 'proc', 'interval']);
    if (Array.isArray(collect.require)) {
      collect.require.forEach((name, i) => {
        if ((name === 'proc' || name === 'ebpf') && collect[name] === false) {
          out.push({ path: ['collect', 'require', String(i)], at: 'value', message: `collect.require lists ${name} but collect.${name} is false` });
        }
      });
    }
  }
  const gate = raw.gate;
  if (isRecord(gate)) {
    if (isRecord(gate.metrics)) {
      for (const pattern of Object.keys(gate.metrics)) {
        const problem = metricPatternProblem(pattern);
        if (problem) out.push({ path: ['gate', 'metrics', pattern], at: 'key', message: problem });
      }
    }
    if (Array.isArray(gate.limits)) {
      const unitOf = (metric: string): string | null => {
        const declared = metric.startsWith('workload.') ? declaredUnits.get(metric.slice('workload.'.length)) : undefined;
        return declared ?? baseUnitOfMetric(metric);
      };
      gate.limits.forEach((item, i) => {
        const each = isRecord(item);
        const text = each ? item.each : item;
        if (typeof text !== 'string') return;
        const at = each ? ['gate', 'limits', String(i), 'each'] : ['gate', 'limits', String(i)];
        const parsed = parseLimit(text, each, unitOf);
        if (!parsed.ok) {
          out.push({ path: at, at: 'value', message: parsed.error });
          return;
        }
        const problem = metricPatternProblem(parsed.value.metric);
        if (problem) out.push({ path: at, at: 'value', message: `bad limit "${text}": ${problem}` });
      });
    }
  }
  return out;
}

function positiveDuration(out: Finding[], v: unknown, path: string[]): void {
  if (typeof v !== 'string') return;
  const parsed = parseDurationMs(v);
  if (parsed.ok && parsed.value <= 0) out.push({ path, at: 'value', message: `${pathName(path)} must be longer than 0, not "${v}"` });
}

function regexProblem(source: string): string | null {
  let re: RegExp;
  try {
    re = new RegExp(source, 'mu');
  } catch (err) {
    return `bad regex ${JSON.stringify(source)}: ${(err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /u, '')}`;
  }
  // An alternation with the empty string always matches, so its match shows the group count.
  const groups = (new RegExp(`${re.source}|`, 'u').exec('')?.length ?? 1) - 1;
  if (groups < 1) return `regex ${JSON.stringify(source)} needs a capture group around the number, e.g. "([0-9.]+) ops/s"`;
  return null;
}

// ---------------------------------------------------------------------------------------
// Normalizing

function durationMs(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const parsed = parseDurationMs(text);
  return parsed.ok ? parsed.value : fallback;
}

function fraction(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const parsed = parsePercentFraction(text);
  return parsed.ok ? parsed.value : fallback;
}

function normalizeWorkload(w: ScenarioFile['workload'], folder: string): WorkloadSpec {
  const common = {
    timeoutMs: durationMs(w.timeout, SCENARIO_DEFAULTS.timeoutMs),
    metrics: (w.metrics ?? []).map((m) => ({ name: m.name, regex: m.regex, unit: m.unit, better: m.better })),
  };
  if (w.command) {
    const [first, ...rest] = w.command;
    return {
      ...common,
      kind: 'command',
      argv: [first as string, ...rest],
      env: { ...(w.env ?? {}) },
      cwd: resolve(folder, w.cwd ?? '.'),
    };
  }
  if (w.builtin) {
    const d = SCENARIO_DEFAULTS.builtin;
    return {
      ...common,
      kind: 'builtin',
      name: w.builtin.name,
      threads: w.builtin.threads ?? d.threads,
      durationMs: durationMs(w.builtin.duration, d.durationMs),
      count: w.builtin.count ?? d.count,
      cpu: w.builtin.cpu ?? d.cpu,
    };
  }
  const t = w.tinybench as NonNullable<ScenarioFile['workload']['tinybench']>;
  return {
    ...common,
    kind: 'tinybench',
    module: resolve(folder, t.module),
    timeMs: durationMs(t.time, SCENARIO_DEFAULTS.tinybench.timeMs),
    iterations: t.iterations ?? SCENARIO_DEFAULTS.tinybench.iterations,
  };
}

function normalizeCollect(c: ScenarioFile['collect']): CollectSpec {
  const proc = c?.proc;
  const ebpf = c?.ebpf;
  let ebpfSpec: EbpfSpec | false;
  if (ebpf === false) ebpfSpec = false;
  else {
    const e = typeof ebpf === 'object' ? ebpf : {};
    const s = e.syscalls;
    ebpfSpec = {
      readyDelay: e.ready_delay ?? true,
      irq: e.irq ?? true,
      syscalls:
        s === false
          ? false
          : {
              include: [...((typeof s === 'object' ? s.include : undefined) ?? [])],
              exclude: [...((typeof s === 'object' ? s.exclude : undefined) ?? [])],
              excludeBlocking: (typeof s === 'object' ? s.exclude_blocking : undefined) ?? false,
              sample: (typeof s === 'object' ? s.sample : undefined) ?? SCENARIO_DEFAULTS.syscallSample,
            },
    };
  }
  return {
    proc:
      proc === false
        ? false
        : { intervalMs: durationMs(typeof proc === 'object' ? proc.interval : undefined, SCENARIO_DEFAULTS.procIntervalMs) },
    ebpf: ebpfSpec,
    require: [...(c?.require ?? [])],
  };
}

function normalizeGate(g: ScenarioFile['gate'], workload: WorkloadSpec): GateSpec {
  const alpha = g?.alpha ?? SCENARIO_DEFAULTS.alpha;
  const tolerance = fraction(g?.tolerance, SCENARIO_DEFAULTS.tolerance);
  const metrics: Record<string, GateMetricSpec> = {};
  if (g?.metrics === undefined) {
    for (const name of SCENARIO_DEFAULTS.gatedMetrics) metrics[name] = { tolerance, alpha };
  } else {
    for (const [pattern, spec] of Object.entries(g.metrics)) {
      metrics[pattern] = { tolerance: fraction(spec?.tolerance, tolerance), alpha: spec?.alpha ?? alpha };
    }
  }
  const units = new Map(workload.metrics.map((m) => [m.name, m.unit]));
  const unitOf = (metric: string): string | null =>
    (metric.startsWith('workload.') ? units.get(metric.slice('workload.'.length)) : undefined) ?? baseUnitOfMetric(metric);
  const limits: LimitSpec[] = [];
  for (const item of g?.limits ?? []) {
    const parsed = typeof item === 'string' ? parseLimit(item, false, unitOf) : parseLimit(item.each, true, unitOf);
    if (parsed.ok) limits.push(parsed.value);
  }
  return {
    alpha,
    tolerance,
    correction: g?.correction ?? SCENARIO_DEFAULTS.correction,
    test: g?.test ?? SCENARIO_DEFAULTS.test,
    metrics,
    limits,
    requireSameMachine: g?.require_same_machine ?? SCENARIO_DEFAULTS.requireSameMachine,
  };
}

/** The Scenario the pipeline sees, from a file that passed validation. */
export function normalizeScenario(file: ScenarioFile, absFile: string): Scenario {
  const workload = normalizeWorkload(file.workload, dirname(absFile));
  return {
    name: file.name,
    description: file.description ?? '',
    file: absFile,
    workload,
    repetitions: file.repetitions ?? SCENARIO_DEFAULTS.repetitions,
    warmup: file.warmup ?? SCENARIO_DEFAULTS.warmup,
    collect: normalizeCollect(file.collect),
    gate: normalizeGate(file.gate, workload),
  };
}

// ---------------------------------------------------------------------------------------
// Files

export interface ParsedScenario {
  /** Null when the file has problems. */
  scenario: Scenario | null;
  /** The `name` the file declares when it is a valid name (also for files with other problems), for duplicate checks. */
  name: string | null;
  namePosition: { line: number; col: number } | null;
  problems: Problem[];
}

/**
 * Parses and validates one scenario file's text. Pure: `file` is how problems name the file,
 * `absFile` anchors relative paths. YAML is a superset of JSON, so .json files go through the
 * same parser and get the same positions.
 */
export function scenarioFromText(file: string, absFile: string, text: string): ParsedScenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const problem = (pos: { line: number; col: number }, message: string): Problem => ({ file, line: pos.line, col: pos.col, message });
  const none: ParsedScenario = { scenario: null, name: null, namePosition: null, problems: [] };
  if (doc.errors.length > 0) {
    return {
      ...none,
      problems: doc.errors.map((err) =>
        problem(
          lines.linePos(err.pos[0]),
          err.code === 'MULTIPLE_DOCS'
            ? 'a scenario file holds one scenario: put each document after --- in a file of its own'
            : `YAML syntax: ${err.message.split('\n')[0] ?? err.message}`,
        ),
      ),
    };
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || raw === undefined) {
    return { ...none, problems: [problem({ line: 1, col: 1 }, 'the file is empty: a scenario needs at least name and workload')] };
  }
  if (!isRecord(raw)) {
    return {
      ...none,
      problems: [problem(positionOf(doc, lines, [], 'value'), `a scenario file must be a mapping of keys (name:, workload:, ...), not ${describeValue(raw)}`)],
    };
  }
  const findings: Finding[] = [];
  if (!validateScenarioFile(raw)) findings.push(...findingsFromAjv(validateScenarioFile.errors ?? []));
  findings.push(...semanticFindings(raw));
  const problems = findings
    .map((f) => problem(positionOf(doc, lines, f.path, f.at), f.message))
    .sort((a, b) => a.line - b.line || a.col - b.col);
  const nameOk = typeof raw.name === 'string' && new RegExp(NAME_PATTERN, 'u').test(raw.name);
  return {
    scenario: problems.length === 0 ? normalizeScenario(raw as unknown as ScenarioFile, absFile) : null,
    name: nameOk ? (raw.name as string) : null,
    namePosition: nameOk ? positionOf(doc, lines, ['name'], 'value') : null,
    problems,
  };
}

/** The scenario files named by `paths`: files as given, directories' *.yaml/*.yml/*.json (not recursive), each folder sorted. */
export async function listScenarioFiles(paths: readonly string[]): Promise<{ files: string[]; problems: Problem[] }> {
  const files: string[] = [];
  const problems: Problem[] = [];
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch (err) {
      problems.push({ file: path, line: 0, col: 0, message: fsMessage(err) });
      continue;
    }
    if (!isDir) {
      files.push(path);
      continue;
    }
    let entries: string[];
    try {
      entries = await readdir(path);
    } catch (err) {
      problems.push({ file: path, line: 0, col: 0, message: fsMessage(err) });
      continue;
    }
    const found = entries
      .filter((e) => (SCENARIO_EXTENSIONS as readonly string[]).includes(extname(e).toLowerCase()))
      .sort()
      .map((e) => join(path, e));
    if (found.length === 0) {
      problems.push({ file: path, line: 0, col: 0, message: `no scenario files (${SCENARIO_EXTENSIONS.map((x) => `*${x}`).join(', ')}) in this folder` });
    }
    files.push(...found);
  }
  // The same file named twice (`a.yaml` and `./a.yaml`, or a file and its folder) is loaded once,
  // so it is not reported as a duplicate of itself.
  const seen = new Set<string>();
  const unique = files.filter((f) => {
    const key = resolve(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { files: unique, problems };
}

function fsMessage(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ENOTDIR':
      return 'a part of this path is a file, not a folder';
    default:
      return `cannot read: ${e.message}`;
  }
}

/**
 * Loads every scenario under `paths` (files or folders). Every failure is a Problem, never an
 * exception; `scenarios` holds only the valid ones, in file order. Scenario names must be
 * unique across all the files loaded together.
 */
export async function loadScenarios(paths: readonly string[]): Promise<{ scenarios: Scenario[]; problems: Problem[] }> {
  const listed = await listScenarioFiles(paths);
  const problems = [...listed.problems];
  const scenarios: Scenario[] = [];
  const firstFileByName = new Map<string, string>();
  for (const file of listed.files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      problems.push({ file, line: 0, col: 0, message: fsMessage(err) });
      continue;
    }
    const parsed = scenarioFromText(file, resolve(file), text);
    problems.push(...parsed.problems);
    if (parsed.name !== null) {
      const first = firstFileByName.get(parsed.name);
      if (first !== undefined) {
        const pos = parsed.namePosition ?? { line: 1, col: 1 };
        problems.push({ file, line: pos.line, col: pos.col, message: `scenario name "${parsed.name}" is already used by ${first}` });
        continue;
      }
      firstFileByName.set(parsed.name, file);
    }
    if (parsed.scenario) scenarios.push(parsed.scenario);
  }
  return { scenarios, problems };
}
