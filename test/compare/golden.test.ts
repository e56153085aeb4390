import { describe, expect, test } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { repoRoot, runCli, tempDir } from '../cli/support.js';

/*
 * `kdelta compare` on saved reports and baselines, checked byte for byte against outputs
 * recorded before the compare engine and the report writers were reorganized. The inputs
 * (test/fixtures/compare-golden/<case>/base.json, current.json) were made from real runs by
 * make-inputs.mjs beside them. Set KDELTA_WRITE_GOLDEN=1 to record new outputs on purpose.
 *
 * Only what must differ from one compare to the next is replaced before comparing: the new
 * run's id and its start and end times (compare makes a fresh run), and the checkout's
 * absolute path (a scenario file found on disk is named by its absolute path).
 */

const GOLDEN = join(repoRoot, 'test/fixtures/compare-golden');
const OUTPUTS = ['summary.md', 'comment.md', 'junit.xml'] as const;
const CASES = [
  { name: 'mixed', what: 'a report against a report: regression, improvement, inconclusive, no baseline, unavailable, broken limit, failed workload' },
  { name: 'mismatch', what: 'a baseline from another machine class: the regression becomes a warning' },
  { name: 'stale', what: 'a baseline of another workload: no baseline, stale' },
  { name: 'wide', what: 'two real runs with every metric gated: comment.md leaves out details' },
] as const;

function normalize(text: string, run: { runId: string; startedAt: string; endedAt: string }): string {
  return text
    .replaceAll(run.runId, '<run-id>')
    // The end time is only ever printed after the start time, and may equal it.
    .replaceAll(`${run.startedAt} → ${run.endedAt}`, '<started-at> → <ended-at>')
    .replaceAll(run.startedAt, '<started-at>')
    .replaceAll(repoRoot, '<repo>');
}

describe('kdelta compare renders saved inputs as recorded', () => {
  for (const c of CASES) {
    test(`${c.name}: ${c.what}: summary.md, comment.md and junit.xml are byte-identical`, async () => {
      const out = await tempDir('kdelta-golden-');
      try {
        const dir = join(GOLDEN, c.name);
        const args = ['compare', relative(repoRoot, join(dir, 'base.json')), relative(repoRoot, join(dir, 'current.json')), '--out', out.path];
        const result = await runCli(args);
        const run = JSON.parse(await readFile(join(out.path, 'report.json'), 'utf8')) as { runId: string; startedAt: string; endedAt: string };
        const actual = await Promise.all(OUTPUTS.map(async (f) => normalize(await readFile(join(out.path, f), 'utf8'), run)));
        const exitText = `${result.code}\n`;
        if (process.env['KDELTA_WRITE_GOLDEN'] === '1') {
          await mkdir(join(dir, 'expected'), { recursive: true });
          await Promise.all(OUTPUTS.map((f, i) => writeFile(join(dir, 'expected', f), actual[i]!)));
          await writeFile(join(dir, 'expected', 'exit-code'), exitText);
        }
        const expected = await Promise.all(OUTPUTS.map((f) => readFile(join(dir, 'expected', f), 'utf8')));
        expect({ exitCode: exitText, files: actual }).toEqual({ exitCode: await readFile(join(dir, 'expected', 'exit-code'), 'utf8'), files: expected });
      } finally {
        await out.remove();
      }
    });
  }
});

describe('kdelta compare dates its outputs by the measurements', () => {
  test('summary.md and report.json give the current report\'s start and end, not the time compare ran', async () => {
    const out = await tempDir('kdelta-golden-time-');
    try {
      const dir = join(GOLDEN, 'mixed');
      const current = JSON.parse(await readFile(join(dir, 'current.json'), 'utf8')) as { startedAt: string; endedAt: string };
      await runCli(['compare', relative(repoRoot, join(dir, 'base.json')), relative(repoRoot, join(dir, 'current.json')), '--out', out.path]);
      const written = JSON.parse(await readFile(join(out.path, 'report.json'), 'utf8')) as { startedAt: string; endedAt: string };
      expect([written.startedAt, written.endedAt]).toEqual([current.startedAt, current.endedAt]);
      expect(await readFile(join(out.path, 'summary.md'), 'utf8')).toContain(`measured ${current.startedAt} → ${current.endedAt}`);
      expect(Date.parse(current.endedAt)).toBeLessThan(Date.now() - 60_000);
    } finally {
      await out.remove();
    }
  });
});
