import { escapeMarkdown } from './markdown-text.js';
import type { CollectorReport, ScenarioReport } from './types.js';

/*
 * The collectors of a run, once per report: which ran, where they could not, and their notes
 * (which source filled which metrics, what is approximate). Scenarios mostly share them, so
 * a row or note says which scenarios it is about only when it is not all of them.
 */

function cells(c: CollectorReport): string[] {
  const a = c.availability;
  const state = a.state === 'ready' ? `ready${a.detail ? `: ${escapeMarkdown(a.detail)}` : ''}` : `🚫 unavailable: ${escapeMarkdown(a.reason)}`;
  const fix = a.state === 'unavailable' && a.fix ? escapeMarkdown(a.fix) : '';
  const disables = a.state === 'unavailable' ? a.disables.map(escapeMarkdown).join(', ') : '';
  return [c.name, c.enabled ? 'yes' : 'no', state, fix, disables];
}

/** Values in first-seen order, each with the scenarios it came from. */
function grouped(entries: ReadonlyArray<{ key: string; scenario: string }>): Array<{ key: string; scenarios: string[] }> {
  const by = new Map<string, string[]>();
  for (const e of entries) {
    const list = by.get(e.key) ?? [];
    if (!list.includes(e.scenario)) list.push(e.scenario);
    by.set(e.key, list);
  }
  return [...by.entries()].map(([key, scenarios]) => ({ key, scenarios }));
}

function whichOf(scenarios: readonly string[], all: number): string {
  return scenarios.length === all ? 'all' : scenarios.map(escapeMarkdown).join(', ');
}

/** The collectors block, or nothing when no scenario ran a collector. */
export function collectorsMarkdown(scenarios: readonly ScenarioReport[]): string {
  const withCollectors = scenarios.filter((s) => s.collectors.length > 0);
  if (withCollectors.length === 0) return '';
  const all = withCollectors.length;
  const rows = grouped(withCollectors.flatMap((s) => s.collectors.map((c) => ({ key: `| ${cells(c).join(' | ')} |`, scenario: s.name }))));
  const notes = grouped(withCollectors.flatMap((s) => s.collectors.flatMap((c) => c.notes.map((n) => ({ key: `- ${c.name}: ${escapeMarkdown(n)}`, scenario: s.name })))));
  const lines = [
    '<details><summary>Collectors</summary>',
    '',
    '| Collector | Enabled | Availability | Fix | Disables | Scenarios |',
    '| :-- | :-- | :-- | :-- | :-- | :-- |',
    ...rows.map((r) => `${r.key.replace(/ \|$/, '')} | ${whichOf(r.scenarios, all)} |`),
    '',
  ];
  if (notes.length) lines.push(...notes.map((n) => (n.scenarios.length === all ? n.key : `${n.key} (${whichOf(n.scenarios, all)})`)), '');
  lines.push('</details>', '');
  return lines.join('\n');
}

/** A scenario's own line for a collector that could not run there, as its details say it. */
export function unavailableLines(s: ScenarioReport): string[] {
  return s.collectors.flatMap((c) =>
    c.availability.state === 'unavailable' ? [`- 🚫 ${c.name} unavailable here: ${escapeMarkdown(c.availability.reason)}`] : [],
  );
}
