import { EMPTY_COLOR, viridis } from './color.js';
import { esc, num } from './escape.js';
import { figureHtml, svgOpen, tableHtml } from './figure.js';

export interface HeatRow {
  label: string;
  values: number[];
  /** Rows with the same band (a NUMA node) sit together; a line separates bands. */
  band?: string;
}

export interface HeatMapInput {
  kind: string;
  /** Plain text; escaped here. */
  caption: string;
  rows: HeatRow[];
  /** One label per column: a time (`0.25–0.50 s`) or a CPU. */
  columns: string[];
  format: (v: number) => string;
  /** The value of the brightest colour; the largest value when absent. */
  max?: number;
  /** How merged columns combine when a map is too wide to draw cell by cell. */
  merge?: 'sum' | 'mean';
  /** `time`: the first and last column named under the map; `columns`: every column named above it (CPUs). */
  axis?: 'time' | 'columns';
}

/** More cells than this are merged column-wise, which bounds the file for many-CPU machines. */
export const MAX_CELLS = 12_000;
/** A time axis wider than this is merged too: 100 columns of a 620-pixel map are 6 pixels each, as fine as the eye reads. */
export const MAX_TIME_COLUMNS = 100;
const LABEL_W = 150;
const ROW_H = 16;
const PLOT_W = 620;

/** `0.00–0.01 s` and `0.09–0.10 s` make `0.00–0.10 s`; other labels are joined with an ellipsis. */
function spanLabel(first: string, last: string): string {
  const a = /^([^–]+)–[^–]+ s$/.exec(first);
  const b = /^[^–]+–([^–]+ s)$/.exec(last);
  return a && b ? `${a[1]}–${b[1]}` : first === last ? first : `${first} … ${last}`;
}

function mergeColumns(input: HeatMapInput): HeatMapInput {
  const rows = Math.max(1, input.rows.length);
  const timeFactor = input.axis === 'columns' ? 1 : Math.ceil(input.columns.length / MAX_TIME_COLUMNS);
  const factor = Math.max(timeFactor, Math.ceil((input.columns.length * rows) / MAX_CELLS));
  if (factor <= 1) return input;
  const pick = <T>(xs: readonly T[], f: (group: T[]) => T) => {
    const out: T[] = [];
    for (let i = 0; i < xs.length; i += factor) out.push(f(xs.slice(i, i + factor)));
    return out;
  };
  const combine = (g: number[]) => g.reduce((a, b) => a + b, 0) / (input.merge === 'mean' ? g.length : 1);
  return {
    ...input,
    columns: pick(input.columns, (g) => spanLabel(g[0]!, g[g.length - 1]!)),
    rows: input.rows.map((r) => ({ ...r, values: pick(r.values, combine) })),
  };
}

/** A heat map as SVG rects, viridis from 0 to `max`, an exact zero in light grey; each cell names its value on hover. */
export function heatMapFigure(raw: HeatMapInput): string {
  const input = mergeColumns(raw);
  const cols = input.columns.length;
  if (cols === 0 || input.rows.length === 0) return '';
  const max = input.max ?? Math.max(0, ...input.rows.flatMap((r) => r.values));
  const named = input.axis === 'columns';
  const cw = named ? Math.min(64, PLOT_W / cols) : Math.max(2, Math.min(28, PLOT_W / cols));
  const top = named ? 18 : 4;
  const width = Math.max(LABEL_W + cw * cols + 10, LABEL_W + 250);
  const height = input.rows.length * ROW_H + top + 46;
  const parts = [svgOpen(Math.ceil(width), height, input.caption)];
  if (named) input.columns.forEach((c, ci) => parts.push(`<text x="${num(LABEL_W + (ci + 0.5) * cw)}" y="13" class="tick" text-anchor="middle">${esc(c)}</text>`));
  input.rows.forEach((r, ri) => {
    const y = ri * ROW_H + top;
    parts.push(`<text x="${LABEL_W - 6}" y="${y + ROW_H - 4}" class="label" text-anchor="end">${esc(r.label)}</text>`);
    const prev = input.rows[ri - 1];
    if (prev && prev.band !== r.band) parts.push(`<line x1="4" x2="${num(width - 4)}" y1="${y - 0.5}" y2="${y - 0.5}" class="band-sep"/>`);
    if (r.band !== undefined && prev?.band !== r.band) parts.push(`<text x="4" y="${y + ROW_H - 4}" class="band-label">${esc(r.band)}</text>`);
    r.values.forEach((v, ci) => {
      // An empty cell is the legend's "none" grey and names no value: maps are often mostly empty, and the table has every zero.
      if (v === 0) {
        parts.push(`<rect x="${num(LABEL_W + ci * cw)}" y="${y}" width="${num(cw)}" height="${ROW_H - 1}" fill="${EMPTY_COLOR}"/>`);
        return;
      }
      const tip = esc(`${r.label}${r.band ? ` (${r.band})` : ''}, ${input.columns[ci] ?? ''}: ${input.format(v)}`);
      parts.push(`<rect x="${num(LABEL_W + ci * cw)}" y="${y}" width="${num(cw)}" height="${ROW_H - 1}" fill="${viridis(max > 0 ? v / max : 0)}"><title>${tip}</title></rect>`);
    });
  });
  const below = input.rows.length * ROW_H + top;
  if (!named) {
    parts.push(`<text x="${LABEL_W}" y="${below + 11}" class="tick">${esc(input.columns[0]!)}</text>`);
    parts.push(`<text x="${num(LABEL_W + cw * cols)}" y="${below + 11}" class="tick" text-anchor="end">${esc(input.columns[cols - 1]!)}</text>`);
  }
  parts.push(legend(LABEL_W, below + 22, input.format(0), input.format(max)));
  parts.push('</svg>');
  const table = tableHtml(
    ['', ...input.columns.map(esc)],
    input.rows.map((r) => [esc(r.band ? `${r.label} (${r.band})` : r.label), ...r.values.map((v) => esc(input.format(v)))]),
    'num heat-table',
  );
  return figureHtml(input.kind, esc(input.caption), parts.join(''), table);
}

function legend(x: number, y: number, lo: string, hi: string): string {
  const steps = 10;
  const cells = Array.from({ length: steps }, (_, i) => `<rect x="${x + i * 12}" y="${y}" width="12" height="9" fill="${viridis(i / (steps - 1))}"/>`).join('');
  return `<g class="legend">${cells}<text x="${x - 4}" y="${y + 9}" class="tick" text-anchor="end">${esc(lo)}</text><text x="${x + steps * 12 + 4}" y="${y + 9}" class="tick">${esc(hi)}</text><rect x="${x + steps * 12 + 90}" y="${y}" width="12" height="9" fill="${EMPTY_COLOR}" stroke="#999" stroke-width="0.5"/><text x="${x + steps * 12 + 106}" y="${y + 9}" class="tick">none</text></g>`;
}
