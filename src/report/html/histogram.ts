import type { Histogram } from '../../metrics/types.js';
import { formatCount, formatValue } from '../format.js';
import { esc, num } from './escape.js';
import { figureHtml, svgOpen, tableHtml } from './figure.js';

export interface HistogramSeries {
  who: 'current' | 'baseline';
  histogram: Histogram;
}

const W = 560;
const H = 170;
const L = 44;
const B = 22;

/**
 * Histograms on a log-scale x axis, each normalised to its own total so a baseline with
 * more repetitions does not look taller: the current run as filled orange bars, the
 * baseline as a dashed blue outline on top. The bars' colours are classes of the page's
 * stylesheet (one histogram has a hundred bars or more).
 */
export function histogramFigure(title: string, series: readonly HistogramSeries[]): string {
  const live = series.filter((s) => s.histogram.buckets.length > 0);
  if (live.length === 0) return '';
  const unit = live[0]!.histogram.unit;
  const buckets = live.flatMap((s) => s.histogram.buckets);
  const lo = Math.log2(Math.max(1e-9, Math.min(...buckets.map((b) => b.lo || b.hi / 2))));
  const hi = Math.log2(Math.max(...buckets.map((b) => b.hi)));
  const x = (v: number) => L + ((Math.log2(Math.max(v, 1e-9)) - lo) / Math.max(1e-9, hi - lo)) * (W - L - 8);
  const shares = live.map((s) => {
    const total = s.histogram.buckets.reduce((a, b) => a + b.count, 0) || 1;
    return { s, total, share: s.histogram.buckets.map((b) => b.count / total) };
  });
  const top = Math.max(...shares.flatMap((x) => x.share), 1e-9);
  const y = (f: number) => H - B - (f / top) * (H - B - 8);
  const parts = [svgOpen(W, H, `${title}: histogram`)];
  parts.push(`<line x1="${L}" x2="${W - 8}" y1="${H - B}" y2="${H - B}" class="axis"/>`);
  for (const { s, total, share } of shares) {
    s.histogram.buckets.forEach((b, i) => {
      const x0 = x(b.lo || b.hi / 2);
      const w = Math.max(1, x(b.hi) - x0);
      const f = share[i]!;
      const tip = `<title>${esc(`${s.who}: ${formatValue(b.lo, unit)} to ${formatValue(b.hi, unit)}: ${formatCount(b.count)} of ${formatCount(total)} (${(f * 100).toFixed(1)}%)`)}</title>`;
      parts.push(
        s.who === 'current'
          ? `<rect x="${num(x0)}" y="${num(y(f))}" width="${num(w)}" height="${num(H - B - y(f))}" class="hc">${tip}</rect>`
          : `<rect x="${num(x0)}" y="${num(y(f))}" width="${num(w)}" height="${num(H - B - y(f))}" class="hb">${tip}</rect>`,
      );
    });
  }
  const lowest = Math.min(...buckets.map((b) => b.lo));
  parts.push(`<text x="${L}" y="${H - 6}" class="tick">${esc(formatValue(lowest, unit))}</text>`);
  parts.push(`<text x="${W - 8}" y="${H - 6}" class="tick" text-anchor="end">${esc(formatValue(2 ** hi, unit))}</text>`);
  parts.push(`<text x="${L - 4}" y="14" class="tick" text-anchor="end">${(top * 100).toFixed(0)}%</text>`);
  parts.push('</svg>');
  const legend = live.length > 1 ? ' Orange bars: current run; dashed blue outline: baseline.' : ' Current run (no baseline histogram).';
  return figureHtml('histogram', `${esc(title)}: share of events per bucket, log scale.${legend}`, parts.join(''), histogramTable(live));
}

function histogramTable(series: readonly HistogramSeries[]): string {
  const unit = series[0]!.histogram.unit;
  const los = [...new Set(series.flatMap((s) => s.histogram.buckets.map((b) => b.lo)))].sort((a, b) => a - b);
  const rows = los.map((lo) => {
    const hiOf = series.flatMap((s) => s.histogram.buckets.filter((b) => b.lo === lo).map((b) => b.hi))[0] ?? lo;
    return [
      esc(`${formatValue(lo, unit)} to ${formatValue(hiOf, unit)}`),
      ...series.map((s) => formatCount(s.histogram.buckets.find((b) => b.lo === lo)?.count ?? 0)),
    ];
  });
  return tableHtml(['bucket', ...series.map((s) => s.who)], rows, 'num');
}
