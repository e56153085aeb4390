import type { Better, MetricPoint } from '../metrics/types.js';
import type { TaskSet } from '../run/types.js';
import { compileMetricRegex } from '../scenario/regex.js';
import type { WorkloadMetricSpec } from '../scenario/types.js';

/**
 * What a workload said about itself on stdout: `workload.*` metric points and, for the
 * builtin C loads, each thread's own schedstat read just before it ended.
 *
 * A figure the scenario declares (a `metrics` regex) that the output does not contain is
 * `invalid`, not a gap: the scenario promises the figure, so its absence means the workload
 * or its output format changed, and a silent hole would only surface later as a verdict
 * with no data. The runner reports it as a failed repetition.
 */
export type WorkloadFigures =
  | { state: 'ok'; metrics: MetricPoint[]; threads: TaskSet['threads']; notes: string[] }
  | { state: 'invalid'; message: string };

const BETTER: readonly Better[] = ['lower', 'higher'];

/** `ops_per_sec` -> `workload.ops_per_sec`; a name the workload already prefixed is kept. */
export function workloadMetricName(name: string): string {
  return name.startsWith('workload.') ? name : `workload.${name}`;
}

function numberFrom(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  // Very large integers arrive as strings from some emitters; accept them when they are numbers.
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

type LineResult =
  | { kind: 'metric'; point: MetricPoint }
  | { kind: 'load'; count: number; threads: TaskSet['threads'] }
  | { kind: 'invalid'; message: string }
  | { kind: 'other' };

/** Reads one stdout line; lines that are not kdelta's JSON shapes are `other` (workloads may log JSON of their own). */
export function parseFigureLine(line: string): LineResult {
  const text = line.trim();
  if (!text.startsWith('{')) return { kind: 'other' };
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return { kind: 'other' };
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { kind: 'other' };
  const o = obj as Record<string, unknown>;
  if (o['kdelta'] === 'load') return parseLoadLine(o, text);
  if (!('metric' in o)) return { kind: 'other' };
  const name = o['metric'];
  const value = numberFrom(o['value']);
  const unit = o['unit'] ?? '1';
  const better = o['better'];
  if (typeof name !== 'string' || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(name))
    return { kind: 'invalid', message: `metric line with an unusable name (letters, digits, _ . - only): ${text}` };
  if (value === null) return { kind: 'invalid', message: `metric ${name}: value is not a finite number: ${text}` };
  if (typeof unit !== 'string') return { kind: 'invalid', message: `metric ${name}: unit is not a string: ${text}` };
  if (typeof better !== 'string' || !BETTER.includes(better as Better))
    // No default: guessing "lower" for a throughput would make every improvement a regression.
    return { kind: 'invalid', message: `metric ${name}: "better" must be "lower" or "higher": ${text}` };
  return { kind: 'metric', point: { name: workloadMetricName(name), unit, better: better as Better, value } };
}

function parseLoadLine(o: Record<string, unknown>, text: string): LineResult {
  const count = numberFrom(o['count']);
  const rawThreads = o['threads'];
  if (count === null || !Array.isArray(rawThreads)) return { kind: 'invalid', message: `malformed kdelta-load line: ${text}` };
  const threads: TaskSet['threads'] = [];
  for (const t of rawThreads as unknown[]) {
    const r = (typeof t === 'object' && t !== null ? t : {}) as Record<string, unknown>;
    const tid = numberFrom(r['tid']);
    const runNs = numberFrom(r['run_ns']);
    const runDelayNs = numberFrom(r['run_delay_ns']);
    const timeslices = numberFrom(r['timeslices']);
    const comm = r['comm'];
    if (tid === null || runNs === null || runDelayNs === null || timeslices === null || typeof comm !== 'string')
      return { kind: 'invalid', message: `malformed thread entry in kdelta-load line: ${JSON.stringify(t)}` };
    threads.push({ tid, comm, runDelayNs, runNs, timeslices });
  }
  return { kind: 'load', count, threads };
}

/**
 * Picks the workload's figures out of its stdout: JSON metric lines, the builtin loads'
 * `{"kdelta":"load"}` line (-> TaskSet threads and `workload.ops`) and the scenario's regexes
 * (first match, first capture group, a number). A metric printed twice keeps its last value:
 * progress printers repeat a running figure and the last one is the final one.
 */
export function workloadFiguresFromStdout(stdout: string, specs: readonly WorkloadMetricSpec[]): WorkloadFigures {
  const byName = new Map<string, MetricPoint>();
  const notes: string[] = [];
  let threads: TaskSet['threads'] = [];
  for (const line of stdout.split('\n')) {
    const r = parseFigureLine(line);
    if (r.kind === 'invalid') return { state: 'invalid', message: r.message };
    if (r.kind === 'metric') byName.set(r.point.name, r.point);
    if (r.kind === 'load') {
      threads = r.threads;
      byName.set('workload.ops', { name: 'workload.ops', unit: '1', better: 'higher', value: r.count });
    }
  }
  for (const spec of specs) {
    // RE2, not RegExp: the output is the workload's, and a backtracking match over it can take hours.
    const re = compileMetricRegex(spec.regex);
    if (!re.ok) return { state: 'invalid', message: `metric ${spec.name}: ${re.error}` };
    const m = re.value.firstCapture(stdout);
    if (!m.found) return { state: 'invalid', message: `metric ${spec.name}: /${spec.regex}/ matched nothing in the workload's stdout` };
    const captured = m.capture;
    if (captured === undefined)
      return { state: 'invalid', message: `metric ${spec.name}: /${spec.regex}/ matched but has no first capture group` };
    const value = Number(captured.trim());
    if (captured.trim() === '' || !Number.isFinite(value))
      return { state: 'invalid', message: `metric ${spec.name}: /${spec.regex}/ captured "${captured}", not a number` };
    const name = workloadMetricName(spec.name);
    if (byName.has(name)) notes.push(`${name}: the scenario's regex overrides the JSON line of the same name`);
    byName.set(name, { name, unit: spec.unit, better: spec.better, value });
  }
  return { state: 'ok', metrics: [...byName.values()], threads, notes };
}
