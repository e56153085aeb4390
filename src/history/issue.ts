import { createHash } from 'node:crypto';
import { escapeMarkdown } from '../report/markdown-text.js';
import type { SeriesChange } from './detect.js';
import type { Series } from './types.js';

/**
 * The text of a GitHub issue for a regression change point, as the nightly job files it.
 * The body starts with a marker naming the change point, so the job finds its own issue
 * again (and updates it) instead of opening a second one the next night.
 */
export interface ChangeIssue {
  key: string;
  title: string;
  body: string;
}

export const ISSUE_MARKER = 'kdelta-change-point';
/** GitHub refuses a body over 65,536 characters; this leaves the job room for a line of its own. */
export const MAX_ISSUE_BYTES = 60_000;
/** GitHub's limit on an issue title. */
const MAX_TITLE = 256;
/** A name (machine class, scenario, metric) longer than this is shown cut, so one cannot fill the body. */
const MAX_NAME = 200;
const RECENT_RUNS = 40;

/** The same change point gives the same key every night: series and the first run after the change. */
export function changeKey(c: SeriesChange): string {
  return createHash('sha256').update([c.machine, c.scenario, c.metric, c.after.runId].join('\u0000')).digest('hex').slice(0, 16);
}

const pct = (v: number): string => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;
const cut = (text: string): string => (text.length > MAX_NAME ? `${text.slice(0, MAX_NAME)}…` : text);
const md = (text: string): string => escapeMarkdown(cut(text));
const side = (s: SeriesChange['before']): string => `${s.commit ? `commit ${md(s.commit.slice(0, 12))}` : 'no commit'}, ${md(s.commitTime)}, run ${md(s.runId)}`;

function plainTitle(c: SeriesChange): string {
  // Titles are not Markdown, but control characters and line breaks still have no place there.
  // eslint-disable-next-line no-control-regex
  const text = `Regression change point: ${c.scenario} ${c.metric} ${pct(c.change)} on ${c.machine}`.replace(/[\u0000-\u001F\u007F]+/g, ' ');
  return text.length > MAX_TITLE ? `${text.slice(0, MAX_TITLE - 1)}…` : text;
}

function recentRows(c: SeriesChange, series: Series | undefined): string[] {
  const points = (series?.points ?? []).filter((p) => Number.isFinite(p.median));
  const from = Math.max(0, points.length - RECENT_RUNS);
  return points.slice(from).map((p, i) => {
    const mark = from + i === c.index ? ' ⬅ first after the change' : '';
    return `| ${from + i + 1} | ${p.commit ? md(p.commit.slice(0, 12)) : '—'} | ${md(p.commitTime)} | ${p.median.toPrecision(6)} | ${p.min.toPrecision(6)} | ${p.max.toPrecision(6)} | ${md(p.runId)}${mark} |`;
  });
}

/** The issue for one change point: what moved, between which commits, how sure, and the runs around it. */
export function changeIssue(c: SeriesChange, series: Series | undefined): ChangeIssue {
  const key = changeKey(c);
  const head = [
    `<!-- ${ISSUE_MARKER}:${key} -->`,
    `**Regression change point** in scenario ${md(c.scenario)}, metric ${md(c.metric)} (${md(c.unit || 'no unit')}, ${c.better} is better), on machine class ${md(c.machine)}, found by \`kdelta history detect\`.`,
    '',
    '| | |',
    '| --- | --- |',
    `| change | ${pct(c.change)} (95% interval ${pct(c.ci[0])} to ${pct(c.ci[1])}), tolerance ${pct(c.tolerance)} |`,
    `| p-value | ${c.pValue.toExponential(1)} |`,
    `| last run before | ${side(c.before)} |`,
    `| first run after | ${side(c.after)} |`,
    `| position | run ${c.index + 1} of ${c.runs} |`,
    '',
    `### Recent runs (medians, ${md(c.unit || 'no unit')})`,
    '',
    '| # | commit | commit time | median | min | max | run |',
    '| ---: | --- | --- | ---: | ---: | ---: | --- |',
  ];
  const rows = recentRows(c, series);
  const size = (lines: string[]) => Buffer.byteLength(lines.join('\n'));
  // Oldest rows go first when the names are long enough to push the body over the limit.
  let dropped = 0;
  const note = () => (dropped ? [`\n${dropped} older run${dropped === 1 ? '' : 's'} left out to fit an issue.`] : []);
  while (rows.length && size([...head, ...rows, ...note()]) > MAX_ISSUE_BYTES) {
    rows.shift();
    dropped++;
  }
  let body = [...head, ...rows, ...note()].join('\n') + '\n';
  if (Buffer.byteLength(body) > MAX_ISSUE_BYTES) body = `${Buffer.from(body).subarray(0, MAX_ISSUE_BYTES - 4).toString('utf8').replace(/\uFFFD+$/, '')}…\n`;
  return { key, title: plainTitle(c), body };
}
