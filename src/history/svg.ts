import type { SeriesChange } from './detect.js';
import type { Series } from './types.js';

/** Text and attribute values alike: the five characters HTML gives meaning to. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Only http(s) and relative links are clicked through; anything else (javascript:, data:) is dropped. */
export function safeHref(path: string | null): string | null {
  if (!path) return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(path) && !/^https?:/i.test(path)) return null;
  return path;
}

const W = 720;
const H = 220;
const PAD = { left: 70, right: 10, top: 10, bottom: 24 };

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e3) return `${(v / 1e3).toPrecision(3)}k`;
  return v.toPrecision(3);
}

/**
 * One metric's chart: the min-max band of each run, the medians as a line, a dot per run
 * linking to its report, and each change point as a vertical line (red: bad direction).
 */
export function chartSvg(s: Series, changes: readonly SeriesChange[]): string {
  const pts = s.points.filter((p) => Number.isFinite(p.median));
  const lo = Math.min(...pts.map((p) => (Number.isFinite(p.min) ? p.min : p.median)));
  const hi = Math.max(...pts.map((p) => (Number.isFinite(p.max) ? p.max : p.median)));
  const span = hi > lo ? hi - lo : Math.abs(hi) || 1;
  const x = (i: number) => PAD.left + (pts.length > 1 ? (i * (W - PAD.left - PAD.right)) / (pts.length - 1) : (W - PAD.left - PAD.right) / 2);
  const y = (v: number) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - (v - lo) / span);
  const r = (v: number) => v.toFixed(1);
  const upper = pts.map((p, i) => `${r(x(i))},${r(y(Number.isFinite(p.max) ? p.max : p.median))}`);
  const lower = pts.map((p, i) => `${r(x(i))},${r(y(Number.isFinite(p.min) ? p.min : p.median))}`).reverse();
  const line = pts.map((p, i) => `${r(x(i))},${r(y(p.median))}`).join(' ');
  const dots = pts.map((p, i) => {
    const title = `<title>${escapeHtml(`${p.commit ?? p.runId} ${p.commitTime}: ${fmt(p.median)} ${s.unit}`)}</title>`;
    const dot = `<circle cx="${r(x(i))}" cy="${r(y(p.median))}" r="2.5">${title}</circle>`;
    const href = safeHref(p.reportPath);
    return href ? `<a href="${escapeHtml(href)}">${dot}</a>` : dot;
  });
  const marks = changes.map((c) => {
    const cx = r((x(c.index - 1) + x(c.index)) / 2);
    const cls = c.direction === 'regression' ? 'cp-bad' : 'cp-good';
    const label = `${c.change >= 0 ? '+' : ''}${(c.change * 100).toFixed(1)}% p=${c.pValue.toExponential(1)}`;
    return `<line class="${cls}" x1="${cx}" x2="${cx}" y1="${PAD.top}" y2="${H - PAD.bottom}"><title>${escapeHtml(label)}</title></line>`;
  });
  const axis = [hi, (hi + lo) / 2, lo].map((v) => `<text x="${PAD.left - 6}" y="${r(y(v) + 4)}" text-anchor="end">${escapeHtml(fmt(v))}</text>`);
  return [
    `<svg class="chart" role="img" aria-label="${escapeHtml(`${s.metric} over ${pts.length} runs`)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" xmlns="http://www.w3.org/2000/svg">`,
    `<polygon class="band" points="${[...upper, ...lower].join(' ')}"/>`,
    `<polyline class="median" points="${line}"/>`,
    ...marks,
    ...dots,
    ...axis,
    `<text x="${PAD.left}" y="${H - 6}">${escapeHtml(`${pts.length} runs, oldest left`)}</text>`,
    '</svg>',
  ].join('');
}
