// Hostile strings thrown through every writer of a real report object: summary.md and
// comment.md rendered by cmark-gfm, junit.xml checked by xmllint against the Jenkins XSD,
// report.html, the console summary and the GitHub workflow commands.
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderConsoleSummary } from '../../src/report/console.js';
import { annotationCommands } from '../../src/report/github.js';
import { renderHtml } from '../../src/report/html/render.js';
import { renderJunit } from '../../src/report/junit.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import type { Report } from '../../src/report/types.js';
import { cmarkGfm, htmlTables, kdeltaXsd, xmllintSchema } from './helpers.js';
import { sampleReport } from './sample.js';

const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '<h2>big</h2>',
  '</table><script>alert(1)</script>',
  '<!-- hidden',
  'a|b||c\\|d',
  '`code` ``` ~~~',
  '@octocat and @github/team',
  'line1\nline2\r\n| --- |\n# heading',
  '::error file=x.ts,line=1::injected',
  '%0A::warning::encoded',
  '<a href="javascript:alert(1)">x</a>',
  "\"quoted\" 'single' &amp; &lt;",
  '\u0000\u0001\u001b[31mred\u001b[0m\u007f',
  '\ud800 lone surrogate \udfff',
  '\ufffd\ufffd not utf-8 bytes decoded',
  '[link](javascript:alert(1)) ![img](http://x/y.png)',
  '*bold* _em_ $x$ ~~strike~~',
  'x'.repeat(20_000),
];

/** The sample report with a hostile string in every text the workload or the scenario can set. */
function hostileReport(h: string, index: number): Report {
  const report = sampleReport();
  report.scenarios = report.scenarios.map((s, i) => ({
    ...s,
    name: `${s.name}${h}${i}`,
    description: `desc ${h}`,
    file: `/tmp/${h}.yaml`,
    collectors: s.collectors.map((c) => ({ ...c, notes: [...c.notes, `note ${h}`] })),
    lost: [...s.lost, { repetition: 1, collector: 'ebpf', what: `lost ${h}` }],
    metrics: [
      ...s.metrics.map((m) => ({
        ...m,
        unit: m.name.startsWith('workload.') ? `u${h}` : m.unit,
        verdict: m.verdict && 'message' in m.verdict ? { ...m.verdict, message: `v ${h}` } : m.verdict,
      })),
      { ...s.metrics[0]!, name: `sched.ready_delay.thread.${h}.total`, unit: `ns${h}` },
      { ...s.metrics[0]!, name: `workload.${h}`, gated: true },
    ],
    irqTable: s.irqTable ? { ...s.irqTable, rows: s.irqTable.rows.map((r) => ({ ...r, name: `${r.name} ${h}` })) } : s.irqTable,
  }));
  for (const s of report.scenarios) if (s.failure) Object.assign(s.failure, { message: `msg ${h}`, stderrTail: `tail ${h}` });
  report.runId = `run-${index}`;
  return report;
}

/** Elements in rendered HTML other than the ones the Markdown writers produce themselves. */
const OWN_ELEMENTS = new Set([
  'p', 'h2', 'h3', 'h4', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'code', 'pre', 'ul', 'li', 'ol',
  'strong', 'em', 'details', 'summary', 'b', 'blockquote', 'br', 'a', 'hr', 'sub', 'sup', 'del',
]);

/**
 * A live mention as GitHub links it: outside code, an `@` not preceded by a word character
 * and directly followed by a letter or digit (a user name or org/team).
 */
function liveMentions(html: string): string[] {
  const outsideCode = html.replace(/<pre[\s\S]*?<\/pre>/g, '').replace(/<code>[\s\S]*?<\/code>/g, '');
  const text = outsideCode.replace(/<[^>]*>/g, ' ');
  return Array.from(text.matchAll(/(?<![\w@.])@[A-Za-z0-9]/g), (m) => m[0]);
}

function elementsOf(html: string): string[] {
  return Array.from(html.matchAll(/<\/?([A-Za-z][A-Za-z0-9-]*)/g), (m) => m[1]!.toLowerCase());
}

/** The tags of an HTML page with their attribute names, values blanked: the same for any text put in. */
function tagsOf(html: string): string[] {
  return Array.from(html.replace(/"[^"]*"/g, '""').matchAll(/<[/!]?[A-Za-z][^>]*>/g), (m) => m[0]);
}

describe.each(HOSTILE.map((h, i) => [JSON.stringify(h.slice(0, 40)), h, i] as const))('hostile text %s', (_label, h, i) => {
  const report = hostileReport(h, i);

  it.each(['summary', 'comment'] as const)('renders %s.md with no element, mention or table column from the input', (variant) => {
    const md = renderMarkdown(report, { variant });
    const html = cmarkGfm(md, true);
    if (process.env['FUZZ_DUMP']) writeFileSync(`/tmp/fuzz-${i}-${variant}.md`, md);
    const foreign = elementsOf(html).filter((e) => !OWN_ELEMENTS.has(e));
    expect(foreign).toEqual([]);
    expect(html).not.toMatch(/<(img|script|h2>big|a href="javascript)/i);
    expect(html).not.toContain('<!--');
    expect(liveMentions(html)).toEqual([]);
    for (const table of htmlTables(html)) {
      const widths = new Set(table.map((row) => row.length));
      expect(widths.size).toBe(1);
    }
  });

  it('writes junit.xml that validates against the Jenkins XSD (with the file, line and skipped kdelta adds)', () => {
    const { status, output } = xmllintSchema(renderJunit(report), kdeltaXsd);
    expect(output).toMatch(/validates/);
    expect(status).toBe(0);
  });

  it('writes report.html with no element or attribute from the input', () => {
    // The same text with every character but line breaks made harmless (line breaks decide which names parse).
    const harmless = hostileReport(h.replace(/[^\r\n]/g, 'x'), i);
    expect(tagsOf(renderHtml(report))).toEqual(tagsOf(renderHtml(harmless)));
  });

  it('writes a console summary with no control character from the input', () => {
    const text = renderConsoleSummary(report, { color: false });
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    for (const line of text.split('\n')) expect(line).not.toMatch(/^\s*::/);
  });

  it('writes workflow commands whose every line is one command with its data escaped', () => {
    const lines = annotationCommands(report, { GITHUB_ACTIONS: 'true' }).flatMap((l) => l.split('\n'));
    for (const line of lines) {
      expect(line).toMatch(/^::error [^:]*::/);
      expect(line.replace(/^::error [^:]*::/, '')).not.toMatch(/[\r\n]/);
    }
  });
});
