import { formatCount } from './format.js';
import type { DistributionBlock } from './markdown-distribution.js';
import { escapeMarkdown, plural } from './markdown-text.js';

/*
 * Fitting summary.md and comment.md into their size limits. What goes first when the page
 * is too long, least useful first: the per-scenario details (passing scenarios before the
 * others), the collectors block, the samples of the checks that did not pass (least severe
 * first), and only then rows of the headline table (passing ones, then the least severe).
 * The cut-off note names everything it cut, and is written before the cut parts and at the end.
 */

export type MarkdownVariant = 'summary' | 'comment';

/** GitHub rejects a step summary over 1 MiB; a little is kept for whatever else the job appends. */
export const SUMMARY_LIMIT_BYTES = 1_000_000;
/** GitHub rejects a comment over 65,536 characters. */
export const COMMENT_LIMIT_CHARS = 65_000;

/** Names listed in a cut-off note at most; the rest are counted. */
const MAX_NAMED = 20;

export interface Row {
  rank: number;
  order: number;
  scenario: string;
  cells: string[];
  pass: boolean;
}

/** The page's parts, in page order, before anything is cut. */
export interface PageParts {
  head: string[];
  /** Headline rows, worst first. */
  rows: readonly Row[];
  table: (rows: readonly Row[]) => string[];
  why: string[];
  distributionIntro: string[];
  /** Worst first. */
  distributions: readonly DistributionBlock[];
  environment: string;
  collectors: string;
  /** Worst scenario first. */
  details: ReadonlyArray<{ name: string; text: string }>;
}

/** How much of each cuttable part is kept: rows themselves, the others as a count from the start. */
interface Kept {
  rows: readonly Row[];
  distributions: number;
  collectors: boolean;
  details: number;
}

function sizeOf(text: string, variant: MarkdownVariant): number {
  return variant === 'summary' ? Buffer.byteLength(text, 'utf8') : text.length;
}

function limitOf(variant: MarkdownVariant): number {
  return variant === 'summary' ? SUMMARY_LIMIT_BYTES : COMMENT_LIMIT_CHARS;
}

function limitText(variant: MarkdownVariant): string {
  return variant === 'summary' ? 'this step summary under 1 MiB' : 'this comment under 65,000 characters';
}

function named(names: readonly string[]): string {
  const shown = names.slice(0, MAX_NAMED).map(escapeMarkdown);
  return names.length > MAX_NAMED ? `${shown.join(', ')} and ${formatCount(names.length - MAX_NAMED)} more` : shown.join(', ');
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}

/** What was cut, in words, or null when nothing was. */
function cutNote(p: PageParts, k: Kept, variant: MarkdownVariant): string | null {
  const parts: string[] = [];
  const keptRows = new Set(k.rows);
  const cutRows = p.rows.filter((r) => !keptRows.has(r));
  if (cutRows.length > 0) {
    const which = cutRows.every((r) => r.pass) ? plural(cutRows.length, 'passing check') : `${plural(cutRows.length, 'check')} (all passing ones and the least severe others)`;
    parts.push(`the headline rows of ${which}, of ${plural(unique(cutRows.map((r) => r.scenario)).length, 'scenario')}: ${named(unique(cutRows.map((r) => r.scenario)))}`);
  }
  const cutSamples = p.distributions.slice(k.distributions);
  if (cutSamples.length > 0) parts.push(`the samples of ${plural(cutSamples.length, 'check')} that did not pass (the least severe are cut first): ${named(cutSamples.map((d) => d.label))}`);
  if (!k.collectors && p.collectors !== '') parts.push('the collectors block');
  const cutDetails = p.details.slice(k.details);
  if (cutDetails.length > 0) {
    parts.push(`the details of ${formatCount(cutDetails.length)} of ${plural(p.details.length, 'scenario')} (passing scenarios are cut first): ${named(cutDetails.map((d) => d.name))}`);
  }
  if (parts.length === 0) return null;
  return `> [!NOTE]\n> Cut to keep ${limitText(variant)}: ${parts.join('; ')}. report.json has everything.\n`;
}

function assemble(p: PageParts, k: Kept, variant: MarkdownVariant): string {
  const note = cutNote(p, k, variant);
  const samples = p.distributions.slice(0, k.distributions);
  return [
    ...p.head,
    '',
    ...(k.rows.length ? p.table(k.rows) : ['_No gated metrics or limits in this run._']),
    '',
    ...p.why,
    ...(note ? [note] : []),
    ...(samples.length ? [...p.distributionIntro, ...samples.map((d) => d.text)] : []),
    p.environment,
    ...(k.collectors && p.collectors !== '' ? [p.collectors] : []),
    ...p.details.slice(0, k.details).map((d) => d.text),
    ...(note ? [note] : []),
  ].join('\n');
}

/** The largest n in [0, max] for which ok(n) holds, ok being monotone (true up to some n). */
function largest(max: number, ok: (n: number) => boolean): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (ok(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The headline rows that fit with nothing else optional: all, else the failing ones, else the worst of those. */
function fittingRows(p: PageParts, fits: (k: Kept) => boolean): readonly Row[] {
  const bare = (rows: readonly Row[]): Kept => ({ rows, distributions: 0, collectors: false, details: 0 });
  if (fits(bare(p.rows))) return p.rows;
  const failing = p.rows.filter((r) => !r.pass);
  if (fits(bare(failing))) return failing;
  return failing.slice(0, largest(failing.length, (n) => fits(bare(failing.slice(0, n)))));
}

/** The page, with as much as fits the variant's limit. */
export function fitPage(p: PageParts, variant: MarkdownVariant): string {
  const limit = limitOf(variant);
  const fits = (k: Kept): boolean => sizeOf(assemble(p, k, variant), variant) <= limit;
  const everything: Kept = { rows: p.rows, distributions: p.distributions.length, collectors: true, details: p.details.length };
  if (fits(everything)) return assemble(p, everything, variant);
  const rows = fittingRows(p, fits);
  const distributions = largest(p.distributions.length, (n) => fits({ rows, distributions: n, collectors: false, details: 0 }));
  const collectors = distributions === p.distributions.length && fits({ rows, distributions, collectors: true, details: 0 });
  const details = collectors ? largest(p.details.length, (n) => fits({ rows, distributions, collectors, details: n })) : 0;
  return assemble(p, { rows, distributions, collectors, details }, variant);
}
