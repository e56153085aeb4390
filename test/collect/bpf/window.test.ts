import { describe, expect, test } from 'vitest';
import { parseDump } from '../../../src/collect/bpf/dump.js';
import { windowMetrics } from '../../../src/collect/bpf/window.js';
import type { WindowSpec } from '../../../src/scenario/types.js';
import { uprobeCheck } from '../../../src/doctor/uprobes.js';

const SPEC: WindowSpec = { start: { kind: 'usdt', target: '/b', provider: 'p', name: 's' }, stop: { kind: 'usdt', target: '/b', provider: 'p', name: 'e' }, minNs: 1_000_000, per: 'thread' };

describe('trigger window dump lines and metrics', () => {
  test('sums two win lines of one dump and keeps every length', () => {
    const d = parseDump(
      '{"map":"win","count":2,"total":30,"max":20,"short":1,"lost":0,"d":[10,20]}\n{"map":"win","count":1,"total":5,"max":5,"short":0,"lost":0,"d":[5]}\n{"end":0}\n',
    );
    expect(d.win).toEqual({ count: 3, total: 35, max: 20, short: 1, lost: 0, durations: [10, 20, 5] });
  });

  test('a malformed win line is not applied', () => {
    expect(parseDump('{"map":"win","count":"2","total":3,"max":2,"short":0,"lost":0,"d":[]}\n').win).toBeNull();
  });

  test('count, total and max from the counters, percentiles by nearest rank over the lengths', () => {
    const durations = Array.from({ length: 100 }, (_, i) => (i + 1) * 1000);
    const w = windowMetrics({ count: 100, total: 5_050_000, max: 100_000, short: 3, lost: 0, durations }, SPEC);
    const v = Object.fromEntries(w.metrics.map((m) => [m.name, m.value]));
    expect(v).toEqual({ 'window.count': 100, 'window.duration.total': 5_050_000, 'window.duration.p50': 50_000, 'window.duration.p99': 99_000, 'window.duration.max': 100_000 });
    expect(w.notes.join(' ')).toContain('3 window(s) shorter than 1 ms left out');
    expect(w.lost).toEqual([]);
  });

  test('no windows: zero count and total, no percentiles; a full log is reported as lost', () => {
    const none = windowMetrics(null, SPEC);
    expect(none.metrics.map((m) => [m.name, m.value])).toEqual([
      ['window.count', 0],
      ['window.duration.total', 0],
    ]);
    const full = windowMetrics({ count: 3, total: 6, max: 3, short: 0, lost: 1, durations: [1, 2] }, SPEC);
    expect(full.lost[0]).toMatch(/1 window lengths not kept/u);
  });
});

describe('doctor: uprobes', () => {
  test('ok, refused, or not checked', () => {
    expect(uprobeCheck({ ok: true, detail: 'attached' }).status).toBe('ok');
    const no = uprobeCheck({ ok: false, detail: 'a uprobe did not attach: Operation not permitted' });
    expect(no.status).toBe('warning');
    expect(no.detail).toContain('tracepoint probes only');
    expect(no.disables).toContain('window.count');
    expect(uprobeCheck(null).detail).toMatch(/not built/u);
  });
});
