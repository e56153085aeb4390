import { describe, expect, test } from 'vitest';
import { parseShard, selectShard, shardOf } from '../../src/scenario/shard.js';

const names = Array.from({ length: 200 }, (_, i) => `scenario-${i}`);

describe('shards', () => {
  test('the shards of a set are disjoint and together hold every scenario', () => {
    const shards = [1, 2, 3].map((i) => selectShard(names, i, 3));
    expect(shards.flat().sort()).toEqual([...names].sort());
    expect(new Set(shards.flat()).size).toBe(names.length);
  });

  test('adding a scenario moves no other scenario to another shard', () => {
    const before = new Map(names.map((n) => [n, shardOf(n, 4)]));
    const after = [...names, 'a-new-one'];
    for (const n of names) expect(after.includes(n) && shardOf(n, 4)).toBe(before.get(n));
  });

  test('going from 3 to 4 shards moves about a quarter of the scenarios, not most of them', () => {
    const moved = names.filter((n) => shardOf(n, 3) !== shardOf(n, 4)).length;
    expect(moved / names.length).toBeGreaterThan(0.15);
    expect(moved / names.length).toBeLessThan(0.35);
  });

  test('shards are roughly even', () => {
    for (let i = 1; i <= 4; i++) expect(selectShard(names, i, 4).length).toBeGreaterThan(30);
  });

  test('i/N text is read, and nonsense is refused', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    expect(parseShard('0/3')).toBeNull();
    expect(parseShard('4/3')).toBeNull();
    expect(parseShard('two')).toBeNull();
    expect(() => selectShard(names, 0, 3)).toThrow(RangeError);
  });
});
