import { formatFraction, formatValue } from '../format.js';
import { BASELINE_COLOR, CURRENT_COLOR } from './color.js';
import { esc, num } from './escape.js';
import { svgOpen } from './figure.js';

export interface StripInput {
  label: string;
  unit: string;
  current: readonly number[];
  baseline: readonly number[] | null;
  /** Relative tolerance around the baseline median (0.05 = 5%). */
  tolerance?: number;
}

const W = 280;
const H = 54;
const PAD = 8;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Every repetition as a dot: the baseline (hollow circles, blue) above the current run
 * (filled squares, orange), medians as ticks, and the tolerance band around the baseline
 * median shaded, so a reader sees at once whether the current dots left the band.
 */
export function stripPlot(input: StripInput): string {
  const all = [...input.current, ...(input.baseline ?? [])].filter(Number.isFinite);
  const base = input.baseline && input.baseline.length > 0 ? median(input.baseline) : null;
  const band = base !== null && input.tolerance !== undefined ? [base * (1 - input.tolerance), base * (1 + input.tolerance)] as const : null;
  if (band) all.push(band[0], band[1]);
  if (all.length === 0) return `${svgOpen(W, H, `${input.label}: no samples`)}<text x="${PAD}" y="30" class="muted">no samples</text></svg>`;
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi === lo) {
    const d = Math.abs(lo) * 0.05 || 1;
    lo -= d;
    hi += d;
  }
  const x = (v: number) => PAD + ((v - lo) / (hi - lo)) * (W - 2 * PAD);
  const fmt = (v: number) => formatValue(v, input.unit);
  const parts = [svgOpen(W, H, `${input.label}: samples of the baseline and the current run`)];
  if (band) {
    const tol = formatFraction(input.tolerance!);
    parts.push(`<rect class="band" x="${num(x(band[0]))}" y="2" width="${num(x(band[1]) - x(band[0]))}" height="${H - 14}"><title>${esc(`tolerance band: baseline median ±${tol} (${fmt(band[0])} to ${fmt(band[1])})`)}</title></rect>`);
  }
  const row = (values: readonly number[], y: number, who: string, color: string, square: boolean) => {
    values.forEach((v, i) => {
      const title = `<title>${esc(`${who}, repetition ${i + 1}: ${fmt(v)}`)}</title>`;
      parts.push(
        square
          ? `<rect x="${num(x(v) - 3.5)}" y="${y - 3.5}" width="7" height="7" fill="${color}" fill-opacity="0.8">${title}</rect>`
          : `<circle cx="${num(x(v))}" cy="${y}" r="3.5" fill="none" stroke="${color}" stroke-width="1.5">${title}</circle>`,
      );
    });
    if (values.length > 0) {
      const m = median(values);
      parts.push(`<line x1="${num(x(m))}" x2="${num(x(m))}" y1="${y - 8}" y2="${y + 8}" stroke="${color}" stroke-width="2"><title>${esc(`${who} median: ${fmt(m)}`)}</title></line>`);
    }
  };
  if (input.baseline) row(input.baseline, 12, 'baseline', BASELINE_COLOR, false);
  row(input.current, 30, 'current', CURRENT_COLOR, true);
  parts.push(`<text x="${PAD}" y="${H - 2}" class="tick">${esc(fmt(lo))}</text><text x="${W - PAD}" y="${H - 2}" class="tick" text-anchor="end">${esc(fmt(hi))}</text>`);
  parts.push('</svg>');
  return parts.join('');
}
