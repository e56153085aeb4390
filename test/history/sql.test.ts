import { describe, expect, test } from 'vitest';
import { SQL, chunks, multiRowInsert, numbered } from '../../src/history/sql.js';

describe('multi-row statements', () => {
  test('one INSERT of many rows keeps the columns, the conflict clause and one placeholder per value', () => {
    const text = multiRowInsert(SQL.insertSeries, 3);
    expect(text).toBe('INSERT INTO series (scenario, metric, unit, better) VALUES (?, ?, ?, ?), (?, ?, ?, ?), (?, ?, ?, ?) ON CONFLICT (scenario, metric) DO NOTHING');
    expect(numbered(text).match(/\$\d+/g)?.at(-1)).toBe('$12');
  });

  test('the points INSERT takes its 13 columns per row, not the column list before VALUES', () => {
    const text = multiRowInsert(SQL.insertPoint, 2);
    expect(text.match(/\?/g)).toHaveLength(26);
    expect(text).toContain('INSERT INTO points (series_id, run_key, gated,');
  });

  test('chunks are consecutive, bounded and cover every item', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunks([], 2)).toEqual([]);
  });
});
