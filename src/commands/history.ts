import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { readBaselineOrReport } from '../report/saved.js';
import { EXIT, InputError } from '../errors.js';
import { writeDashboard } from '../history/dashboard.js';
import { detectAll, formatChange, type SeriesChange } from '../history/detect.js';
import { exportCsv, exportJson } from '../history/export.js';
import { changeIssue } from '../history/issue.js';
import { openStore, storeLocation } from '../history/open.js';
import { storedRunOf, type RunContext } from '../history/record.js';
import type { HistoryStore, Series, SeriesFilter } from '../history/types.js';
import type { Io } from '../io.js';
import type { Report } from '../report/types.js';
import { writeFileAtomic } from '../report/write.js';

interface Common {
  store?: string;
  machine?: string;
}
export type HistoryOptions =
  | (Common & { action: 'add' | 'import'; reports: string[]; commit?: string; commitTime?: string; branch?: string; reportUrl?: string })
  | (Common & { action: 'list'; since?: string; json?: boolean })
  | (Common & { action: 'export'; format: string; scenario: string[]; metric?: string; since?: string })
  | (Common & { action: 'detect'; scenario: string[]; metric?: string; since?: string; window: number; tolerance: number; json?: boolean; issues?: string })
  | (Common & { action: 'dashboard'; out: string; scenario: string[]; metric?: string; since?: string; window: number; tolerance: number });

/** The commit a report was made from, when the report does not say: the options, then CI's variables. */
export function contextOf(o: { commit?: string; commitTime?: string; branch?: string; machine?: string }, io: Io): RunContext {
  return {
    commit: o.commit ?? io.env['KDELTA_COMMIT'] ?? io.env['GITHUB_SHA'] ?? null,
    commitTime: o.commitTime ?? io.env['KDELTA_COMMIT_TIME'] ?? null,
    branch: o.branch ?? io.env['GITHUB_REF_NAME'] ?? null,
    machine: o.machine ?? io.env['KDELTA_MACHINE'] ?? null,
  };
}

function sinceOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const t = Date.parse(text);
  if (!Number.isFinite(t)) throw new InputError(`--since ${text} is not a date`, { fix: 'give a date or time, e.g. --since 2026-01-01' });
  return new Date(t).toISOString();
}

async function add(store: HistoryStore, o: Extract<HistoryOptions, { action: 'add' | 'import' }>, io: Io): Promise<number> {
  if (o.reports.length === 0) throw new InputError('no report named', { fix: 'kdelta history add reports/*/report.json' });
  // Every file is read and checked before the first write, so a bad one adds nothing.
  const reports: Array<{ path: string; report: Report }> = [];
  for (const p of o.reports) {
    const path = resolve(io.cwd, p);
    const saved = await readBaselineOrReport(path);
    if (saved.kind !== 'report') throw new InputError('not a report.json written by kdelta run', { file: path, fix: 'history keeps runs: name report.json files' });
    reports.push({ path, report: saved.report });
  }
  const ctx = contextOf(o, io);
  let added = 0;
  for (const { path, report } of reports) {
    const outcome = await store.addRun(storedRunOf(report, { ...ctx, reportPath: o.reportUrl ?? relative(io.cwd, path) }));
    if (outcome === 'added') added++;
    io.stderr.write(`kdelta: ${report.runId}: ${outcome === 'added' ? 'added' : 'already in the history'}\n`);
  }
  io.stdout.write(`${added} run${added === 1 ? '' : 's'} added, ${reports.length - added} already there, to ${store.location}\n`);
  return EXIT.ok;
}

async function list(store: HistoryStore, o: Extract<HistoryOptions, { action: 'list' }>, io: Io): Promise<number> {
  const since = sinceOf(o.since);
  const runs = await store.listRuns({ ...(o.machine !== undefined && { machine: o.machine }), ...(since !== undefined && { since }) });
  if (o.json) {
    io.stdout.write(JSON.stringify(runs.map(({ fingerprint, ...r }) => ({ ...r, fingerprint: JSON.parse(fingerprint) as unknown })), null, 2) + '\n');
    return EXIT.ok;
  }
  for (const r of runs) io.stdout.write(`${r.runId}  ${r.commitTime}  ${r.commit?.slice(0, 12) ?? '-'}  ${r.branch ?? '-'}  ${r.machine}  ${r.status}  ${r.metrics} metrics\n`);
  io.stderr.write(`kdelta: ${runs.length} run${runs.length === 1 ? '' : 's'} in ${store.location}\n`);
  return EXIT.ok;
}

function filterOf(o: { machine?: string; scenario: string[]; metric?: string; since?: string }): SeriesFilter {
  const since = sinceOf(o.since);
  return { ...(o.machine !== undefined && { machine: o.machine }), scenario: o.scenario, ...(o.metric !== undefined && { metric: o.metric }), ...(since !== undefined && { since }) };
}

async function detect(store: HistoryStore, o: Extract<HistoryOptions, { action: 'detect' }>, io: Io): Promise<number> {
  const series = await store.series(filterOf(o));
  const changes = detectAll(series, { window: o.window, tolerance: o.tolerance });
  if (o.json) io.stdout.write(JSON.stringify({ series: series.length, changes }, null, 2) + '\n');
  else for (const c of changes) io.stdout.write(formatChange(c) + '\n');
  const gating = changes.filter((c: SeriesChange) => c.gates);
  if (o.issues !== undefined) await writeIssues(resolve(io.cwd, o.issues), gating, series);
  io.stderr.write(`kdelta: ${changes.length} change point${changes.length === 1 ? '' : 's'} in ${series.length} series; ${gating.length} regression${gating.length === 1 ? '' : 's'} beyond tolerance in the last ${o.window} runs\n`);
  return gating.length ? EXIT.regression : EXIT.ok;
}

/** One `<key>.md` body and `<key>.title` per gating change point, for a job that files them as issues. */
async function writeIssues(dir: string, gating: readonly SeriesChange[], series: readonly Series[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const c of gating) {
    const issue = changeIssue(c, series.find((s) => s.machine === c.machine && s.scenario === c.scenario && s.metric === c.metric));
    await writeFileAtomic(join(dir, `${issue.key}.md`), issue.body);
    await writeFileAtomic(join(dir, `${issue.key}.title`), issue.title);
  }
}

async function dispatch(store: HistoryStore, o: HistoryOptions, io: Io): Promise<number> {
  switch (o.action) {
    case 'add':
    case 'import':
      return add(store, o, io);
    case 'list':
      return list(store, o, io);
    case 'detect':
      return detect(store, o, io);
    case 'export': {
      if (o.format !== 'csv' && o.format !== 'json') throw new InputError(`--format ${o.format} is not known`, { fix: 'use --format csv or --format json' });
      const series = await store.series(filterOf(o));
      io.stdout.write(o.format === 'csv' ? exportCsv(series) : exportJson(series));
      return EXIT.ok;
    }
    case 'dashboard': {
      const series = await store.series(filterOf(o));
      const changes = detectAll(series, { window: o.window, tolerance: o.tolerance });
      const out = resolve(io.cwd, o.out);
      const written = await writeDashboard(out, series, changes);
      io.stdout.write(`${resolve(out, 'index.html')}\n`);
      io.stderr.write(`kdelta: ${written.pages.length} pages, ${written.charts} charts in ${out}\n`);
      return EXIT.ok;
    }
  }
}

/** `kdelta history ...`: the store of past runs, its change points and its dashboard. */
export async function historyCommand(o: HistoryOptions, io: Io): Promise<number> {
  const store = await openStore(storeLocation(o.store, io.env), io.cwd);
  try {
    return await dispatch(store, o, io);
  } finally {
    await store.close();
  }
}

/** `kdelta run --history STORE`: the run just written is kept in the store too. */
export async function recordAfterRun(location: string, report: Report, dir: string, io: Io, machine?: string): Promise<void> {
  const store = await openStore(location, io.cwd);
  try {
    const outcome = await store.addRun(storedRunOf(report, { ...contextOf(machine === undefined ? {} : { machine }, io), reportPath: relative(io.cwd, join(dir, 'report.json')) }));
    io.stderr.write(`kdelta: ${report.runId}: ${outcome === 'added' ? 'kept in' : 'already in'} the history ${store.location}\n`);
  } finally {
    await store.close();
  }
}
