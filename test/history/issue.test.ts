import { describe, expect, test } from 'vitest';
import type { SeriesChange } from '../../src/history/detect.js';
import { changeIssue, changeKey, ISSUE_MARKER, MAX_ISSUE_BYTES } from '../../src/history/issue.js';
import type { Series } from '../../src/history/types.js';

function change(over: Partial<SeriesChange> = {}): SeriesChange {
  return {
    machine: 'bare-metal-1', scenario: 'syscall-mix', metric: 'workload.wall_time', unit: 'ns', better: 'lower', index: 45, runs: 50,
    before: { runId: 'r44', commit: 'a'.repeat(40), commitTime: '2026-02-14T00:00:00.000Z' },
    after: { runId: 'r45', commit: 'b'.repeat(40), commitTime: '2026-02-15T00:00:00.000Z' },
    change: 0.123, ci: [0.1, 0.15], pValue: 1.2e-6, direction: 'regression', tolerance: 0.05, gates: true, ...over,
  };
}

function series(n: number, runId = (i: number) => `r${i}`, commitTime = (i: number) => `2026-01-${String((i % 28) + 1).padStart(2, '0')}T00:00:00.000Z`): Series {
  return {
    machine: 'bare-metal-1', scenario: 'syscall-mix', metric: 'workload.wall_time', unit: 'ns', better: 'lower',
    points: Array.from({ length: n }, (_, i) => ({ runId: runId(i), commit: `${i}`.padStart(40, 'c'), commitTime: commitTime(i), startedAt: '', reportPath: null, median: 100 + i, min: 99, max: 102, n: 5, tolerance: 0.05 })),
  };
}

describe('the issue for a regression change point', () => {
  test('starts with its marker, names the change and its commits, and shows the recent runs with the first after the change marked', () => {
    const issue = changeIssue(change(), series(50));
    expect(issue.body.split('\n')[0]).toBe(`<!-- ${ISSUE_MARKER}:${issue.key} -->`);
    expect(issue.body).toContain('+12.3% (95% interval +10.0% to +15.0%), tolerance +5.0%');
    expect(issue.body).toContain(`commit ${'b'.repeat(12)}`);
    expect(issue.body).toMatch(/\| 46 \| .* \| r45 ⬅ first after the change \|/);
    expect(issue.body.match(/^\| \d+ \|/gm)).toHaveLength(40);
    expect(issue.title).toBe('Regression change point: syscall-mix workload.wall_time +12.3% on bare-metal-1');
  });

  test('the key is the same for the same change point and differs for another', () => {
    expect(changeKey(change())).toBe(changeKey(change({ change: 0.2, index: 46, runs: 51 })));
    expect(changeKey(change())).not.toBe(changeKey(change({ after: { runId: 'r46', commit: null, commitTime: '' } })));
    expect(changeKey(change())).toMatch(/^[0-9a-f]{16}$/);
  });

  test('names are escaped: no mention, no table break, no HTML, no second marker, no line break in the title', () => {
    const evil = 'x|y @octocat <script>alert(1)</script> `code` [l](javascript:1) <!-- kdelta-change-point:0000 -->\nnext';
    const issue = changeIssue(change({ scenario: evil, machine: evil }), undefined);
    expect(issue.body).not.toMatch(/@octocat/);
    expect(issue.body).not.toContain('<script>');
    expect(issue.body).not.toMatch(/[^\\]\|y/);
    expect(issue.body.match(/<!--/g)).toHaveLength(1);
    expect(issue.body).not.toMatch(/[^\\]`code/);
    expect(issue.title).not.toContain('\n');
    expect(issue.title.length).toBeLessThanOrEqual(256);
  });

  test('stays under the limit with enormous names: older rows go first, and the body says so', () => {
    const long = '&'.repeat(5000);
    const issue = changeIssue(change({ scenario: long, metric: long, machine: long }), series(500, () => long, () => long));
    expect(Buffer.byteLength(issue.body)).toBeLessThanOrEqual(MAX_ISSUE_BYTES);
    expect(issue.body).toMatch(/\d+ older runs left out to fit an issue/);
    expect(issue.title.length).toBeLessThanOrEqual(256);
  });
});
