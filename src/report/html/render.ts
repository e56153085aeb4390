import { formatChange, formatCi, formatCount, formatValue } from '../format.js';
import { environmentErrorOf, failureHow, gatedItems, itemStatus, severityRank, type GatedItem } from '../items.js';
import type { Report } from '../types.js';
import { esc, slug } from './escape.js';
import { scenarioSection } from './scenario.js';
import { stripPlot } from './strip.js';
import { STYLE } from './style.js';

const VERDICT_TEXT: Record<string, string> = {
  regression: 'regression',
  'limit-exceeded': 'limit exceeded',
  inconclusive: 'inconclusive',
  unavailable: 'unavailable',
  'no-baseline': 'no baseline',
  none: 'not compared',
  improvement: 'improvement',
  pass: 'pass',
};

function itemCells(item: GatedItem, anchor: string): string[] {
  const v = item.verdict;
  const m = item.metric;
  const unit = m?.unit ?? '';
  const status = itemStatus(item);
  const baseline = item.kind === 'metric' && m?.baseline ? formatValue(m.baseline.summary.median, unit) : '—';
  const current = v?.status === 'limit-exceeded' ? formatValue(v.value, unit) : m ? formatValue(m.summary.median, unit) : '—';
  let change = '—';
  let verdict = VERDICT_TEXT[status] ?? status;
  if (v && (v.status === 'pass' || v.status === 'regression' || v.status === 'improvement' || v.status === 'inconclusive')) {
    change = `${formatChange(v.change)} (${formatCi(v.ci)})`;
    if (v.status === 'inconclusive') verdict += ` (needs ${formatCount(v.neededRepetitions)} reps)`;
    if ('warning' in v && v.warning) verdict += `, warning: ${v.warning}`;
  }
  const plot = m
    ? stripPlot({
        label: `${item.scenario.name} ${m.name}`,
        unit,
        current: m.samples,
        baseline: m.baseline?.samples ?? null,
        ...(item.kind === 'metric' && m.tolerance !== undefined && { tolerance: m.tolerance }),
      })
    : '';
  return [
    `<a href="#${anchor}">${esc(item.scenario.name)}</a>`,
    esc(item.kind === 'limit' ? `limit: ${item.name}` : item.name),
    esc(baseline),
    esc(current),
    esc(change),
    `<span class="v-${esc(status)}" title="${esc(v?.message ?? '')}">${esc(verdict)}</span>`,
    plot ? `<div class="fig" data-figure="strip">${plot}</div>` : '',
  ];
}

/** The verdict table of summary.md, worst first, with each gated metric's samples drawn. */
function headlineTable(report: Report, anchors: Map<string, string>): string {
  const rows: Array<{ rank: number; order: number; cells: string[] }> = [];
  report.scenarios.forEach((s, i) => {
    const anchor = anchors.get(s.name) ?? '';
    const env = environmentErrorOf(s);
    const why = env ?? (s.failure ? `failed (${failureHow(s.failure)}, repetition ${s.failure.repetition})` : null);
    if (why !== null) rows.push({ rank: -1, order: i, cells: [`<a href="#${anchor}">${esc(s.name)}</a>`, env ? 'environment' : 'workload', '—', '—', '—', `<span class="v-regression">${esc(why)}</span>`, ''] });
  });
  gatedItems(report).forEach((item, i) => rows.push({ rank: severityRank(itemStatus(item)), order: report.scenarios.length + i, cells: itemCells(item, anchors.get(item.scenario.name) ?? '') }));
  rows.sort((a, b) => a.rank - b.rank || a.order - b.order);
  const head = ['Scenario', 'Metric', 'Baseline (median)', 'Current (median)', 'Change (95% CI)', 'Verdict', 'Samples: baseline ○, current ■, tolerance band shaded'];
  return `<table class="verdicts"><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>\n${rows.map((r) => `<tr>${r.cells.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n')}\n</tbody></table>`;
}

function environmentHtml(report: Report): string {
  const rows = Object.entries(report.environment).map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</td></tr>`);
  return `<details><summary>Machine</summary><table>${rows.join('')}</table></details>`;
}

/**
 * report.html: one self-contained page (no script, no network; every picture is inline
 * SVG written here), so it opens from a CI artifact as it is and its tables read without
 * any of the pictures.
 */
export function renderHtml(report: Report): string {
  const anchors = new Map(report.scenarios.map((s, i) => [s.name, `s-${slug(s.name, i)}`]));
  const status = report.status === 'pass' ? 'pass' : report.status === 'regression' ? 'regression' : 'error';
  const sections = report.scenarios.map((s) => scenarioSection(s, anchors.get(s.name)!, report.environment.arch));
  const toc = report.scenarios.map((s) => `<a href="#${anchors.get(s.name)!}">${esc(s.name)}</a>`).join(' · ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(`kdelta ${report.runId}: ${status}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>kdelta: <span class="status st-${status}">${esc(status)}</span></h1>
<p class="muted">${esc(`Run ${report.runId} · kdelta ${report.kdeltaVersion} · ${report.startedAt} → ${report.endedAt} · p-values adjusted (${report.family.correction}) over ${report.family.size} metrics`)}</p>
<nav>${toc}</nav>
</header>
<main>
<h2>Verdicts</h2>
${headlineTable(report, anchors)}
${sections.join('\n')}
</main>
<footer>${environmentHtml(report)}</footer>
</body>
</html>
`;
}
