import { formatCount } from './format.js';
import type { ItemStatus } from './items.js';
import type { ScenarioReport } from './types.js';

/* The building blocks of summary.md and comment.md: escaping, code blocks, labels. */

/**
 * A word joiner after every `@`: GitHub links `@name` and `@org/team` in comments and step
 * summaries (notifying them), and the joiner breaks that match while the text reads the same.
 */
const MENTION_BREAK = '@\u2060';

/**
 * Line breaks as spaces, control characters dropped, the HTML characters as entities and
 * mentions broken: the part both escapes share.
 */
function entities(text: string): string {
  return (
    text
      .replace(/\r\n|\r|\n/g, ' ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '')
      // A lone surrogate half is not text: the replacement character, as a decoder would write.
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/@/g, MENTION_BREAK)
  );
}

/**
 * Text from names, units, messages and files, made inert for Markdown and safe in a table
 * cell: entities for the HTML characters, a backslash before Markdown punctuation (a `|`
 * would otherwise end the cell, `$` would start GitHub math, `!`, `[` and `(` a link or an
 * image), `@` mentions broken, line breaks as spaces.
 */
export function escapeMarkdown(text: string): string {
  return entities(text).replace(/[\\`*_[\]|~$!#]/g, '\\$&');
}

/** Like escapeMarkdown, for text that starts a paragraph, where `#`, `-`, `1.` or `=` would start a heading or list. */
export function escapeParagraph(text: string): string {
  return escapeMarkdown(text.trimStart())
    .replace(/^([+\-=>])/, '\\$1')
    .replace(/^(\d+)([.)])/, '$1\\$2');
}

/** Text inside raw HTML (the <summary> line), where Markdown is not parsed but mentions are still linked. */
export function escapeHtml(text: string): string {
  return entities(text).replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A fenced code block whose fence is longer than any backtick run in the text, so the text cannot close it. */
export function codeBlock(text: string, info = 'text'): string {
  // Control characters other than tab and newline are dropped: they mean nothing on a page.
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000B-\u001F\u007F]/g, '').replace(/\n+$/, '');
  const longest = Math.max(0, ...Array.from(clean.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${clean}\n${fence}`;
}

export const STATUS_LABEL: Record<ItemStatus, string> = {
  pass: '✅ pass',
  regression: '❌ regression',
  improvement: '🟢 improvement',
  inconclusive: '❔ inconclusive',
  'no-baseline': '➖ no baseline',
  unavailable: '🚫 unavailable',
  'limit-exceeded': '❌ limit exceeded',
  none: '⚠️ no verdict',
};

export const SCENARIO_ICON: Record<ScenarioReport['status'], string> = { pass: '✅', regression: '❌', error: '⚠️' };

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : many}`;
}
