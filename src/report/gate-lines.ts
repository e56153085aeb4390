import { readRegularFile } from '../safe-fs.js';
import { extname } from 'node:path';
import { metricPatternRegExp } from '../scenario/metric-names.js';
import { parseScenarioText } from '../scenario/parse.js';
import type { Report } from './types.js';

/**
 * Where each gated check of a scenario is written in its scenario file: the line of its
 * `gate.metrics` key (the exact name, else the pattern that gates it) or of its `gate.limits`
 * entry. JUnit consumers annotate that line. Read at report time from the file on disk: a
 * scenario file that is gone or no longer parses gives no lines, and the report says nothing
 * rather than point at the wrong line.
 */
export interface ScenarioGateLines {
  metrics: Map<string, number>;
  limits: Map<string, number>;
}
export type GateLines = Map<string, ScenarioGateLines>;

function isRecord(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** The key of `gate.metrics` that gates `name`, by the engine's precedence (exact, most specific pattern, first written). */
export function gatingKey(keys: readonly string[], name: string): string | undefined {
  if (keys.includes(name)) return name;
  return keys
    .filter((k) => k.includes('*'))
    .map((k, order) => ({ k, order, literal: k.replace(/\*/gu, '').length }))
    .sort((a, b) => b.literal - a.literal || a.order - b.order)
    .find(({ k }) => metricPatternRegExp(k).test(name))?.k;
}

/** The lines of one scenario's gate entries, from the scenario file's text. */
export function gateLinesOfText(text: string, json: boolean, metricNames: readonly string[], limitTexts: readonly string[]): ScenarioGateLines {
  const out: ScenarioGateLines = { metrics: new Map<string, number>(), limits: new Map<string, number>() };
  const parsed = parseScenarioText(text, json);
  if (!parsed.ok || !isRecord(parsed.raw) || !isRecord(parsed.raw['gate'])) return out;
  const gate = parsed.raw['gate'];
  const keys = isRecord(gate['metrics']) ? Object.keys(gate['metrics']) : [];
  for (const name of metricNames) {
    const key = gatingKey(keys, name);
    if (key !== undefined) out.metrics.set(name, parsed.positions.of(['gate', 'metrics', key], 'key').line);
  }
  const limits = Array.isArray(gate['limits']) ? gate['limits'] : [];
  limitTexts.forEach((text) => {
    const i = limits.findIndex((l) => (typeof l === 'string' ? l : isRecord(l) ? l['each'] : undefined) === text);
    if (i >= 0) out.limits.set(text, parsed.positions.of(['gate', 'limits', String(i)], 'value').line);
  });
  return out;
}

/** The gate lines of every scenario of a report whose file can still be read. */
export async function gateLinesOf(report: Report): Promise<GateLines> {
  const out: GateLines = new Map();
  for (const s of report.scenarios) {
    let text: string;
    try {
      // A scenario file that is a FIFO must not hang the writer: only regular files are read.
      text = await readRegularFile(s.file);
    } catch {
      continue;
    }
    const gated = s.metrics.filter((m) => m.gated).map((m) => m.name);
    out.set(s.name, gateLinesOfText(text, extname(s.file).toLowerCase() === '.json', gated, s.limits.map((l) => l.text)));
  }
  return out;
}
