/*
 * Colours that survive colour blindness: viridis for sequential heat maps (perceptually
 * uniform, monotone in lightness, so it reads in grey too), and the Okabe-Ito blue and
 * orange for baseline against current, always paired with a different marker shape.
 */

const VIRIDIS: ReadonlyArray<readonly [number, number, number]> = [
  [0x44, 0x01, 0x54],
  [0x47, 0x2d, 0x7b],
  [0x3b, 0x52, 0x8b],
  [0x2c, 0x72, 0x8e],
  [0x21, 0x91, 0x8c],
  [0x28, 0xae, 0x80],
  [0x5e, 0xc9, 0x62],
  [0xad, 0xdc, 0x30],
  [0xfd, 0xe7, 0x25],
];

const hex = (n: number) => Math.round(n).toString(16).padStart(2, '0');

/** Viridis at `f` in [0, 1] (clamped), as `#rrggbb`. */
export function viridis(f: number): string {
  const x = Math.min(1, Math.max(0, Number.isFinite(f) ? f : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const a = VIRIDIS[i]!;
  const b = VIRIDIS[i + 1]!;
  const t = x - i;
  return `#${hex(a[0] + (b[0] - a[0]) * t)}${hex(a[1] + (b[1] - a[1]) * t)}${hex(a[2] + (b[2] - a[2]) * t)}`;
}

export const BASELINE_COLOR = '#0072b2';
export const CURRENT_COLOR = '#e69f00';
/** Okabe-Ito bluish green: a third series beside blue and orange. */
export const THIRD_COLOR = '#009e73';
/** A cell with nothing in it: distinct from the darkest viridis step, so "none" never reads as "a little". */
export const EMPTY_COLOR = '#f2f2f2';
