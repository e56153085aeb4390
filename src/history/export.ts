import type { Series } from './types.js';

/** RFC 4180: quote a field when it holds a comma, a quote or a line break; double its quotes. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The CSV Apache Otava reads: one row per run, a `time` column, attribute columns (commit,
 * run id, machine), and one column per `scenario/metric` holding the run's median.
 * One machine class per file is what Otava expects of a series; with several the column
 * `machine` tells them apart and rows are ordered by machine, then time.
 */
export function exportCsv(series: readonly Series[]): string {
  const columns = [...new Set(series.map((s) => `${s.scenario}/${s.metric}`))].sort();
  const rows = new Map<string, { time: string; commit: string; runId: string; machine: string; values: Map<string, number> }>();
  for (const s of series) {
    for (const p of s.points) {
      const key = `${s.machine}\u0000${p.runId}`;
      let row = rows.get(key);
      if (!row) {
        row = { time: p.commitTime, commit: p.commit ?? '', runId: p.runId, machine: s.machine, values: new Map() };
        rows.set(key, row);
      }
      row.values.set(`${s.scenario}/${s.metric}`, p.median);
    }
  }
  const ordered = [...rows.values()].sort((a, b) => a.machine.localeCompare(b.machine) || a.time.localeCompare(b.time) || a.runId.localeCompare(b.runId));
  const lines = [['time', 'commit', 'run_id', 'machine', ...columns].map(csvField).join(',')];
  for (const r of ordered) {
    const values = columns.map((c) => {
      const v = r.values.get(c);
      return v === undefined || !Number.isFinite(v) ? '' : String(v);
    });
    lines.push([r.time, r.commit, r.runId, r.machine, ...values].map(csvField).join(','));
  }
  return lines.join('\n') + '\n';
}

export function exportJson(series: readonly Series[]): string {
  return JSON.stringify({ series }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}
