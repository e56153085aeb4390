import { machineSlug } from '../environment/fingerprint.js';
import type { Report } from '../report/types.js';
import type { HistoryStore, StoredPoint, StoredRun, AddOutcome } from './types.js';

/** What a report does not say about itself: where the code came from and where the report lives. */
export interface RunContext {
  commit?: string | null;
  commitTime?: string | null;
  branch?: string | null;
  /** The machine class; default: the one the scenarios' baselines were looked up under, else the fingerprint's slug. */
  machine?: string | null;
  reportPath?: string | null;
}

function isoOrNull(text: string | null | undefined): string | null {
  if (!text) return null;
  const t = Date.parse(text);
  return Number.isFinite(t) ? new Date(t).toISOString() : null;
}

/** The rows a report becomes: every metric's summary, and the samples and verdict of the gated ones. */
export function storedRunOf(report: Report, ctx: RunContext = {}): StoredRun {
  const points: StoredPoint[] = [];
  for (const s of report.scenarios) {
    for (const m of s.metrics) {
      points.push({
        scenario: s.name,
        metric: m.name,
        unit: m.unit,
        better: m.better,
        gated: m.gated,
        tolerance: m.gated ? (m.tolerance ?? null) : null,
        n: m.samples.length,
        median: m.summary.median ?? NaN,
        mean: m.summary.mean ?? NaN,
        min: m.summary.min ?? NaN,
        max: m.summary.max ?? NaN,
        stddev: m.summary.stddev ?? NaN,
        samples: m.gated ? m.samples : null,
        verdict: m.verdict?.status ?? null,
        verdictJson: m.gated && m.verdict ? JSON.stringify(m.verdict) : null,
      });
    }
  }
  const baselineMachine = report.scenarios.find((s) => s.baseline && s.baseline.machine !== 'report')?.baseline?.machine;
  const startedAt = isoOrNull(report.startedAt) ?? report.startedAt;
  return {
    runId: report.runId,
    startedAt,
    commit: ctx.commit ?? null,
    commitTime: isoOrNull(ctx.commitTime) ?? startedAt,
    branch: ctx.branch ?? null,
    machine: ctx.machine ?? baselineMachine ?? machineSlug(report.environment),
    fingerprint: JSON.stringify(report.environment),
    kdeltaVersion: report.kdeltaVersion,
    status: report.status,
    reportPath: ctx.reportPath ?? null,
    points,
  };
}

/** `kdelta run --history STORE`: keeps the run that was just reported. */
export async function recordRun(store: HistoryStore, report: Report, ctx: RunContext = {}): Promise<AddOutcome> {
  return store.addRun(storedRunOf(report, ctx));
}
