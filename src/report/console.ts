import { styleText } from 'node:util';
import { formatCount } from './format.js';
import {
  countByStatus,
  environmentErrorOf,
  failureLine,
  gatedItems,
  gatedItemsOf,
  ITEM_STATUSES,
  worstFailures,
  type ItemStatus,
} from './items.js';
import { sidesOf } from './sides.js';
import type { Report, ScenarioReport } from './types.js';
import { failureHeadline } from './verdicts.js';
import { inertLine, inertText } from '../workflow-commands.js';

/*
 * The one-screen summary printed on stderr at the end of every run. Plain text, whole
 * lines; colour only when the caller says so (it knows whether stderr is a TTY and what
 * NO_COLOR / FORCE_COLOR say).
 */

export interface ConsoleSummaryOptions {
  color: boolean;
  /** Where the reports were written, when they were. */
  written?: { json: string; junit: string; markdown: string };
  /** Scenario lines, worst first, before the rest are folded into a count (default 20). */
  maxScenarioLines?: number;
  /** Regressions listed (default 5). */
  maxWorst?: number;
}

type Style = Parameters<typeof styleText>[0];

/**
 * Names and messages come from files and workloads: control characters could move the cursor
 * or recolour the terminal, and in GitHub Actions a `::` or `##[` could start a workflow command.
 */
const printable = inertText;

const SCENARIO_MARK: Record<ScenarioReport['status'], { mark: string; style: Style }> = {
  pass: { mark: '✔', style: 'green' },
  regression: { mark: '✖', style: 'red' },
  error: { mark: '!', style: 'yellow' },
};

const STATUS_STYLE: Record<ItemStatus, Style> = {
  pass: 'green',
  improvement: 'green',
  regression: 'red',
  'limit-exceeded': 'red',
  inconclusive: 'yellow',
  'no-baseline': 'dim',
  unavailable: 'yellow',
  none: 'yellow',
};

function countsText(counts: Record<ItemStatus, number>, paint: (s: Style, t: string) => string): string {
  return ITEM_STATUSES.filter((s) => counts[s] > 0)
    .map((s) => paint(STATUS_STYLE[s], `${formatCount(counts[s])} ${s === 'none' ? 'no verdict' : s}`))
    .join(', ');
}

function durationText(startedAt: string, endedAt: string): string {
  const ms = Date.parse(endedAt) - Date.parse(startedAt);
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** The end-of-run summary for stderr: status per scenario, verdict counts, worst regressions, report paths. */
export function renderConsoleSummary(report: Report, options: ConsoleSummaryOptions): string {
  const paint = (style: Style, text: string): string =>
    options.color ? styleText(style, text, { validateStream: false }) : text;
  const maxLines = options.maxScenarioLines ?? 20;
  const items = gatedItems(report);
  const failures = items.filter((i) => i.verdict?.status === 'regression' || i.verdict?.status === 'limit-exceeded');
  const failedWorkloads = report.scenarios.filter((s) => s.failure !== null).length;

  const headParts: string[] = [];
  if (failures.length) headParts.push(paint('red', `${formatCount(failures.length)} regression${failures.length === 1 ? '' : 's'}`));
  if (failedWorkloads) headParts.push(paint('yellow', `${formatCount(failedWorkloads)} workload${failedWorkloads === 1 ? '' : 's'} failed`));
  const otherErrors = report.scenarios.filter((s) => s.status === 'error' && s.failure === null).length;
  if (otherErrors) headParts.push(paint('yellow', `${formatCount(otherErrors)} scenario${otherErrors === 1 ? '' : 's'} could not run`));
  const status =
    report.status === 'pass'
      ? paint(['bold', 'green'], 'pass')
      : report.status === 'regression'
        ? paint(['bold', 'red'], 'REGRESSION')
        : paint(['bold', 'yellow'], 'ERROR');
  const duration = durationText(report.startedAt, report.endedAt);
  const lines = [
    `kdelta ${status}${headParts.length ? `: ${headParts.join(', ')}` : ''} ` +
      `(${formatCount(report.scenarios.length)} scenario${report.scenarios.length === 1 ? '' : 's'}${duration ? ` in ${duration}` : ''}, run ${printable(report.runId)})`,
  ];

  const ordered = [...report.scenarios]
    .map((s, i) => ({ s, i }))
    .sort((a, b) => rank(a.s) - rank(b.s) || a.i - b.i)
    .map(({ s }) => s);
  // Worst first, so on a long run the lines that matter are the ones left on screen.
  const shown = ordered.slice(0, maxLines);
  const nameWidth = Math.min(32, Math.max(0, ...shown.map((s) => printable(s.name).length)));
  for (const s of shown) {
    const { mark, style } = SCENARIO_MARK[s.status];
    const detail = s.failure
      ? `${failureHeadline(s.failure)}: ${printable(s.failure.message)}`
      : (environmentErrorOf(s) ?? (countsText(countByStatus(gatedItemsOf(s)), paint) || 'no gated metrics'));
    lines.push(`  ${paint(style, mark)} ${printable(s.name).padEnd(nameWidth)}  ${paint(style, s.status.padEnd(10))}  ${detail}`);
  }
  const hidden = ordered.slice(shown.length);
  if (hidden.length > 0) {
    const byStatus = (['error', 'regression', 'pass'] as const)
      .map((st) => [st, hidden.filter((s) => s.status === st).length] as const)
      .filter(([, n]) => n > 0)
      .map(([st, n]) => `${formatCount(n)} ${st}`);
    lines.push(`  … and ${formatCount(hidden.length)} more scenario${hidden.length === 1 ? '' : 's'} (${byStatus.join(', ')})`);
  }

  if (items.length) lines.push(`gated checks: ${countsText(countByStatus(items), paint)}`);
  const worst = worstFailures(report, options.maxWorst ?? 5);
  if (worst.length) {
    lines.push(paint('bold', 'worst regressions:'));
    for (const item of worst) lines.push(`  ${printable(item.scenario.name)}: ${printable(failureLine(item, sidesOf(report)))}`);
    if (failures.length > worst.length) lines.push(`  … and ${formatCount(failures.length - worst.length)} more in the reports`);
  }
  if (options.written) {
    const w = options.written;
    lines.push(`reports: ${printable(w.json)}`, `         ${printable(w.junit)}`, `         ${printable(w.markdown)}`);
  }
  return `${lines.map(inertLine).join('\n')}\n`;
}

function rank(s: ScenarioReport): number {
  return s.status === 'error' ? 0 : s.status === 'regression' ? 1 : 2;
}
