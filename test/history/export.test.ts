import { describe, expect, test } from 'vitest';
import { exportCsv } from '../../src/history/export.js';
import { chartSvg, escapeHtml, safeHref } from '../../src/history/svg.js';
import type { Series } from '../../src/history/types.js';

const point = (i: number, median: number) => ({ runId: `r${i}`, commit: `c${i}`, commitTime: `2026-01-0${i + 1}T00:00:00.000Z`, startedAt: '', reportPath: i === 0 ? 'javascript:alert(1)' : `r${i}/report.json`, median, min: median - 1, max: median + 1, n: 3, tolerance: null });
const series: Series[] = [
  { machine: 'm', scenario: 'a,"b"', metric: 'x', unit: 'ns', better: 'lower', points: [point(0, 10), point(1, NaN)] },
  { machine: 'm', scenario: 'a', metric: 'y', unit: 'ns', better: 'lower', points: [point(1, 5)] },
];

describe('export and charts', () => {
  test('CSV quotes a name with commas or quotes, and leaves a missing value empty', () => {
    expect(exportCsv(series)).toBe('time,commit,run_id,machine,"a,""b""/x",a/y\n2026-01-01T00:00:00.000Z,c0,r0,m,10,\n2026-01-02T00:00:00.000Z,c1,r1,m,,5\n');
  });

  test('HTML special characters are escaped', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  test('a link that is not http(s) or relative is dropped', () => {
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('https://ci.example/r/1')).toBe('https://ci.example/r/1');
    expect(safeHref('../r/report.json')).toBe('../r/report.json');
  });

  test('a chart draws one dot per run with a median and links only safe report paths', () => {
    const svg = chartSvg({ ...series[0]!, points: [point(0, 10), point(1, 12), point(2, 11)] }, []);
    expect(svg.match(/<circle/g)).toHaveLength(3);
    expect(svg).not.toContain('javascript:');
    expect(svg.match(/<a href=/g)).toHaveLength(2);
  });
});
