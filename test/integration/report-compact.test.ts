import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readBaselineOrReport } from '../../src/report/saved.js';
import type { Report } from '../../src/report/types.js';
import { reportJsonText } from '../../src/report/write.js';
import { repoRoot, runCli, tempDir } from '../cli/support.js';

/*
 * The compact report.json (no indentation, histograms as parallel arrays, the baseline's
 * samples once per scenario) carries the same information: `kdelta compare` on it decides
 * exactly as on the original, indented, one-object-per-bucket report it was made from.
 */

const WIDE = join(repoRoot, 'test/fixtures/compare-golden/wide');

let dir: { path: string; remove: () => Promise<void> };
let original: Report;

beforeAll(async () => {
  dir = await tempDir('kdelta-compact-');
  const saved = await readBaselineOrReport(join(WIDE, 'current.json'));
  if (saved.kind !== 'report') throw new Error('the fixture is not a report');
  original = saved.report;
  await writeFile(join(dir.path, 'compact.json'), reportJsonText(original));
});
afterAll(async () => dir.remove());

async function verdictsOf(current: string, out: string): Promise<unknown> {
  const result = await runCli(['compare', join(WIDE, 'base.json'), current, '--out', join(dir.path, out)]);
  const report = JSON.parse(await readFile(join(dir.path, out, 'report.json'), 'utf8')) as Report;
  return { code: result.code, verdicts: report.scenarios.map((s) => [s.status, s.metrics.map((m) => m.verdict), s.limits.map((l) => l.verdict)]) };
}

describe('the compact report.json', () => {
  test('compare on it gives the same verdicts as on the original it was written from', async () => {
    const fromOriginal = await verdictsOf(join(WIDE, 'current.json'), 'a');
    const fromCompact = await verdictsOf(join(dir.path, 'compact.json'), 'b');
    expect(fromCompact).toEqual(fromOriginal);
  });

  test('reads back as the same report, histograms, baseline samples and summaries included', async () => {
    const back = await readBaselineOrReport(join(dir.path, 'compact.json'));
    // As JSON: a summary of no samples is NaN in memory and null in the file.
    const asJson = (r: unknown): unknown => JSON.parse(JSON.stringify(r));
    expect(back.kind === 'report' && asJson(back.report)).toEqual(asJson(original));
  });

  test('is a fraction of the indented size, and --pretty is the indented one', async () => {
    const compact = (await stat(join(dir.path, 'compact.json'))).size;
    const pretty = Buffer.byteLength(reportJsonText(original, true));
    expect(compact).toBeLessThan(pretty * 0.5);
    const result = await runCli(['compare', join(WIDE, 'base.json'), join(WIDE, 'current.json'), '--out', join(dir.path, 'p'), '--pretty']);
    expect(result.code).not.toBe(2);
    expect(await readFile(join(dir.path, 'p', 'report.json'), 'utf8')).toMatch(/^\{\n {2}"schemaVersion"/);
  });
});
