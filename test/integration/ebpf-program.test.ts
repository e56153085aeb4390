import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { bucketCode } from '../../src/collect/ebpf/program.js';
import { bucketKeyOf } from '../../src/metrics/histogram.js';

describe('in-kernel log-linear bucket', () => {
  it('bpftrace computes the same bucket key as the histogram helpers', async () => {
    const values = [0, 1, 5, 7, 8, 9, 15, 16, 17, 100, 255, 256, 257, 1000, 4095, 4096, 65535, 65536, 123456789, 4294967295, 4294967296, 1e12 + 7];
    const body = values.map((v) => `$d = (uint64)${v};\n${bucketCode('$d')}\nprintf("%llu %llu\\n", $d, $b);`).join('\n');
    const r = await execa('bpftrace', ['-e', `BEGIN {\n${body}\nexit();\n}`]);
    const got = new Map(
      r.stdout
        .split('\n')
        .map((l) => l.trim().split(' ').map(Number))
        .filter((p) => p.length === 2 && !p.some(Number.isNaN))
        .map(([v, b]) => [v!, b!]),
    );
    for (const v of values) expect(got.get(v), `bucket of ${v}`).toBe(bucketKeyOf(v));
  });
});
