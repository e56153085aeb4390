/**
 * Text for HTML and inline SVG, element content and quoted attribute values alike. Every
 * string that comes from a report (scenario names, descriptions, metric names, units,
 * thread names, workload output) is untrusted and goes through here.
 */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** An id fragment made only of safe characters, unique per distinct input within a page. */
export function slug(text: string, index: number): string {
  return `${text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'x'}-${index}`;
}

/** A number for an SVG attribute: short, and never NaN (a bad coordinate would drop the element). */
export function num(x: number): string {
  if (!Number.isFinite(x)) return '0';
  return String(Math.round(x * 10) / 10);
}
