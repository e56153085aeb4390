import { esc } from './escape.js';

/** A table as plain HTML; cells are already-escaped HTML. */
export function tableHtml(head: readonly string[], rows: ReadonlyArray<readonly string[]>, className = ''): string {
  const cls = className ? ` class="${className}"` : '';
  const th = head.map((h) => `<th scope="col">${h}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`).join('\n');
  return `<table${cls}><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/**
 * A figure: the picture, its caption, and the same numbers as a table behind a disclosure
 * (readable without the picture, by screen readers, and without JavaScript).
 */
export function figureHtml(kind: string, caption: string, svg: string, fallback?: string): string {
  const table = fallback ? `\n<details><summary>Values as a table</summary>\n${fallback}\n</details>` : '';
  return `<figure class="fig" data-figure="${esc(kind)}">\n${svg}\n<figcaption>${caption}</figcaption>${table}\n</figure>`;
}

/** The opening tag of an inline SVG with an accessible name. */
export function svgOpen(width: number, height: number, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${esc(label)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">`;
}
