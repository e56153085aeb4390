import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../report/write.js';
import type { SeriesChange } from './detect.js';
import { chartSvg, escapeHtml } from './svg.js';
import type { Series } from './types.js';

const STYLE = `body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}h2{font-size:15px;margin:1.2em 0 .3em}
.chart .band{fill:#9ecae1;opacity:.5}.chart .median{fill:none;stroke:#08519c;stroke-width:1.5}.chart circle{fill:#08519c}
.chart line.cp-bad{stroke:#d62728;stroke-width:2;stroke-dasharray:4 3}.chart line.cp-good{stroke:#2ca02c;stroke-width:2;stroke-dasharray:4 3}
.chart text{font-size:11px;fill:#555}.cp{color:#d62728}table{border-collapse:collapse}td,th{padding:2px 8px;text-align:left}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'self'"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>\n`;
}

/** A file name for a scenario: its own name when it is a plain one, else a safe slug; never a path. */
function fileOf(scenario: string, index: number): string {
  return /^[a-z0-9][a-z0-9._-]*$/.test(scenario) && scenario.length <= 100 ? `${scenario}.html` : `scenario-${index}.html`;
}

export interface DashboardResult {
  pages: string[];
  charts: number;
}

/**
 * The static site: index.html listing the scenarios, one page per scenario with one inline
 * SVG chart per metric and machine class. No script, no network: it opens from a file, an
 * artifact store or gh-pages alike.
 */
export async function writeDashboard(dir: string, series: readonly Series[], changes: readonly SeriesChange[]): Promise<DashboardResult> {
  await mkdir(dir, { recursive: true });
  // Pages of scenarios no longer in the store would be stale; only files this code names are removed.
  for (const name of await readdir(dir)) if (name.endsWith('.html')) await rm(join(dir, name), { force: true });
  const scenarios = [...new Set(series.map((s) => s.scenario))].sort();
  const pages: string[] = [];
  let charts = 0;
  const index: string[] = [];
  for (const [i, scenario] of scenarios.entries()) {
    const file = fileOf(scenario, i);
    const mine = series.filter((s) => s.scenario === scenario && s.points.some((p) => Number.isFinite(p.median)));
    const sections = mine.map((s) => {
      const cps = changes.filter((c) => c.scenario === s.scenario && c.metric === s.metric && c.machine === s.machine);
      const list = cps.map((c) => `<li class="${c.direction === 'regression' ? 'cp' : ''}">${escapeHtml(`${c.direction} ${(c.change * 100).toFixed(1)}% after ${c.after.commit ?? c.after.runId} (p=${c.pValue.toExponential(1)})`)}</li>`).join('');
      charts++;
      return `<section><h2>${escapeHtml(`${s.metric} (${s.unit || 'no unit'}, ${s.better} is better) on ${s.machine}`)}</h2>${chartSvg(s, cps)}${list ? `<ul>${list}</ul>` : ''}</section>`;
    });
    const bad = changes.filter((c) => c.scenario === scenario && c.direction === 'regression').length;
    await writeFileAtomic(join(dir, file), page(`kdelta: ${scenario}`, `<p><a href="index.html">all scenarios</a></p><h1>${escapeHtml(scenario)}</h1>${sections.join('')}`));
    pages.push(file);
    index.push(`<tr><td><a href="${escapeHtml(file)}">${escapeHtml(scenario)}</a></td><td>${mine.length}</td><td>${bad}</td></tr>`);
  }
  const body = `<h1>kdelta history</h1><table><thead><tr><th>scenario</th><th>charts</th><th>regression change points</th></tr></thead><tbody>${index.join('')}</tbody></table>`;
  await writeFileAtomic(join(dir, 'index.html'), page('kdelta history', body));
  pages.push('index.html');
  return { pages, charts };
}
