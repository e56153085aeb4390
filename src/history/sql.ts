import type { Better } from '../metrics/types.js';
import { fromSql, packSamples, toSql } from './pack.js';
import type { RunInfo, Series, SeriesFilter, StoredPoint, StoredRun } from './types.js';

/**
 * The statements both backends run, written with `?` placeholders (PostgreSQL's driver gets
 * them renumbered to $1, $2...). Values are always parameters, never spliced into the text.
 */
export const SQL = {
  insertRun: `INSERT INTO runs (run_id, started_at, commit_sha, commit_time, branch, machine, fingerprint, kdelta_version, status, report_path)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING RETURNING run_key`,
  insertSeries: 'INSERT INTO series (scenario, metric, unit, better) VALUES (?, ?, ?, ?) ON CONFLICT (scenario, metric) DO NOTHING',
  selectSeries: 'SELECT series_id FROM series WHERE scenario = ? AND metric = ?',
  insertPoint: `INSERT INTO points (series_id, run_key, gated, tolerance, n, median, mean, min, max, stddev, samples, verdict, verdict_json)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  listRuns: `SELECT r.run_id, r.started_at, r.commit_sha, r.commit_time, r.branch, r.machine, r.fingerprint, r.kdelta_version, r.status, r.report_path,
      (SELECT COUNT(*) FROM points p WHERE p.run_key = r.run_key) AS metrics
    FROM runs r WHERE (CAST(? AS TEXT) IS NULL OR r.machine = ?) AND (CAST(? AS TEXT) IS NULL OR r.commit_time >= ?)
    ORDER BY r.machine, r.commit_time, r.started_at, r.run_id`,
  allSeries: 'SELECT series_id, scenario, metric, unit, better FROM series ORDER BY scenario, metric',
  points: `SELECT p.series_id, r.machine, r.run_id, r.commit_sha, r.commit_time, r.started_at, r.report_path, p.median, p.min, p.max, p.n, p.tolerance
    FROM points p JOIN runs r ON r.run_key = p.run_key
    WHERE p.series_id IN (__IDS__) AND (CAST(? AS TEXT) IS NULL OR r.machine = ?) AND (CAST(? AS TEXT) IS NULL OR r.commit_time >= ?)
    ORDER BY p.series_id, r.machine, r.commit_time, r.started_at, r.run_id`,
  /** The ids of many series in one statement: two arrays, scenario and metric, side by side. */
  selectSeriesMany: `SELECT series_id, scenario, metric FROM series
    WHERE (scenario, metric) IN (SELECT * FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[])))`,
  migrated: 'SELECT version FROM kdelta_migrations ORDER BY version',
  recordMigration: 'INSERT INTO kdelta_migrations (version, name, applied_at) VALUES (?, ?, ?)',
} as const;

/**
 * One INSERT of many rows: the statement's text up to VALUES, and one `(?, ...)` per row.
 * Callers keep rows x columns far below PostgreSQL's 65,535 parameters a statement.
 */
export function multiRowInsert(single: string, rows: number): string {
  const at = single.lastIndexOf('VALUES (');
  const close = single.indexOf(')', at);
  if (at < 0 || close < 0) throw new Error('not an INSERT ... VALUES (...) statement');
  const row = single.slice(at + 'VALUES '.length, close + 1);
  return `${single.slice(0, at)}VALUES ${Array.from({ length: rows }, () => row).join(', ')}${single.slice(close + 1)}`;
}

/** Consecutive items in slices of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function runParams(run: StoredRun): unknown[] {
  return [run.runId, run.startedAt, run.commit, run.commitTime, run.branch, run.machine, run.fingerprint, run.kdeltaVersion, run.status, run.reportPath];
}

export function pointParams(seriesId: number, runKey: number, p: StoredPoint, gated: boolean | number): unknown[] {
  return [seriesId, runKey, gated, p.tolerance, p.n, toSql(p.median), toSql(p.mean), toSql(p.min), toSql(p.max), toSql(p.stddev), p.samples ? packSamples(p.samples) : null, p.verdict, p.verdictJson];
}

export function filterParams(f: { machine?: string | undefined; since?: string | undefined }): unknown[] {
  const m = f.machine ?? null;
  const s = f.since ?? null;
  return [m, m, s, s];
}

export type Row = Record<string, unknown>;

const str = (v: unknown): string => String(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function runInfoOf(r: Row): RunInfo {
  return {
    runId: str(r['run_id']),
    startedAt: str(r['started_at']),
    commit: strOrNull(r['commit_sha']),
    commitTime: str(r['commit_time']),
    branch: strOrNull(r['branch']),
    machine: str(r['machine']),
    fingerprint: str(r['fingerprint']),
    kdeltaVersion: str(r['kdelta_version']),
    status: str(r['status']),
    reportPath: strOrNull(r['report_path']),
    metrics: Number(r['metrics']),
  };
}

/** `*` matches any run of characters, everything else itself: the gate's name patterns. */
export function globMatcher(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined) return () => true;
  const re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return (name) => re.test(name);
}

export interface SeriesRow {
  id: number;
  scenario: string;
  metric: string;
  unit: string;
  better: Better;
}

/** Which series a filter names, from the list of all. */
export function pickSeries(rows: Row[], f: SeriesFilter): SeriesRow[] {
  const metricOk = globMatcher(f.metric);
  return rows
    .map((r) => ({ id: Number(r['series_id']), scenario: str(r['scenario']), metric: str(r['metric']), unit: str(r['unit']), better: (str(r['better']) === 'higher' ? 'higher' : 'lower') as Better }))
    .filter((s) => (!f.scenario || f.scenario.length === 0 || f.scenario.includes(s.scenario)) && metricOk(s.metric));
}

/** Groups the point rows (ordered by series, machine, time) into one series per machine class. */
export function groupSeries(picked: SeriesRow[], rows: Row[]): Series[] {
  const byId = new Map(picked.map((s) => [s.id, s]));
  const out: Series[] = [];
  let current: Series | null = null;
  let currentKey = '';
  for (const r of rows) {
    const s = byId.get(Number(r['series_id']));
    if (!s) continue;
    const key = `${s.id}\u0000${str(r['machine'])}`;
    if (!current || key !== currentKey) {
      current = { machine: str(r['machine']), scenario: s.scenario, metric: s.metric, unit: s.unit, better: s.better, points: [] };
      currentKey = key;
      out.push(current);
    }
    current.points.push({
      runId: str(r['run_id']),
      commit: strOrNull(r['commit_sha']),
      commitTime: str(r['commit_time']),
      startedAt: str(r['started_at']),
      reportPath: strOrNull(r['report_path']),
      median: fromSql(r['median']),
      min: fromSql(r['min']),
      max: fromSql(r['max']),
      n: Number(r['n']),
      tolerance: r['tolerance'] === null || r['tolerance'] === undefined ? null : Number(r['tolerance']),
    });
  }
  return out.sort((a, b) => a.machine.localeCompare(b.machine) || a.scenario.localeCompare(b.scenario) || a.metric.localeCompare(b.metric));
}

/** `?` -> `$1, $2, ...` for PostgreSQL; the statements above hold no `?` inside literals. */
export function numbered(sql: string, offset = 0): string {
  let i = offset;
  return sql.replace(/\?/g, () => `$${++i}`);
}

/** The distinct (scenario, metric) of a run, sorted: the order series rows are created in. */
export function seriesKeys(run: StoredRun): Array<{ scenario: string; metric: string; unit: string; better: Better }> {
  const seen = new Map<string, { scenario: string; metric: string; unit: string; better: Better }>();
  for (const p of run.points) seen.set(`${p.scenario}\u0000${p.metric}`, { scenario: p.scenario, metric: p.metric, unit: p.unit, better: p.better });
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
}
