import { CURRENT_COLOR } from './color.js';
import { esc, num } from './escape.js';
import { figureHtml, svgOpen, tableHtml } from './figure.js';

export interface Bar {
  label: string;
  value: number;
}

/** Horizontal bars, one per category (IRQ handler, softirq vector), largest first as given. */
export function barsFigure(kind: string, caption: string, bars: readonly Bar[], format: (v: number) => string): string {
  if (bars.length === 0) return '';
  const W = 560;
  const LW = 190;
  const RH = 16;
  const max = Math.max(...bars.map((b) => b.value), 1e-12);
  const parts = [svgOpen(W, bars.length * RH + 8, caption)];
  bars.forEach((b, i) => {
    const y = i * RH + 4;
    const w = Math.max(b.value > 0 ? 1 : 0, (b.value / max) * (W - LW - 90));
    parts.push(`<text x="${LW - 6}" y="${y + RH - 4}" class="label" text-anchor="end">${esc(b.label)}</text>`);
    parts.push(`<rect x="${LW}" y="${y + 1}" width="${num(w)}" height="${RH - 3}" fill="${CURRENT_COLOR}"><title>${esc(`${b.label}: ${format(b.value)}`)}</title></rect>`);
    parts.push(`<text x="${num(LW + w + 4)}" y="${y + RH - 4}" class="tick">${esc(format(b.value))}</text>`);
  });
  parts.push('</svg>');
  return figureHtml(kind, esc(caption), parts.join(''), tableHtml(['', 'value'], bars.map((b) => [esc(b.label), esc(format(b.value))]), 'num'));
}

/** Vertical bars over time slots (ready delay per slot). */
export function columnsFigure(kind: string, caption: string, values: readonly number[], columnLabel: (i: number) => string, format: (v: number) => string): string {
  if (values.length === 0) return '';
  const W = 620;
  const H = 120;
  const L = 60;
  const cw = (W - L - 8) / values.length;
  const max = Math.max(...values, 1e-12);
  const parts = [svgOpen(W, H, caption), `<line x1="${L}" x2="${W - 8}" y1="${H - 16}" y2="${H - 16}" class="axis"/>`];
  values.forEach((v, i) => {
    const h = (v / max) * (H - 30);
    parts.push(`<rect x="${num(L + i * cw)}" y="${num(H - 16 - h)}" width="${num(Math.max(1, cw - 0.5))}" height="${num(h)}" fill="${CURRENT_COLOR}"><title>${esc(`${columnLabel(i)}: ${format(v)}`)}</title></rect>`);
  });
  parts.push(`<text x="${L - 4}" y="14" class="tick" text-anchor="end">${esc(format(max))}</text>`);
  parts.push(`<text x="${L}" y="${H - 3}" class="tick">${esc(columnLabel(0))}</text><text x="${W - 8}" y="${H - 3}" class="tick" text-anchor="end">${esc(columnLabel(values.length - 1))}</text>`);
  parts.push('</svg>');
  const table = tableHtml(['slot', 'value'], values.map((v, i) => [esc(columnLabel(i)), esc(format(v))]), 'num');
  return figureHtml(kind, esc(caption), parts.join(''), table);
}
