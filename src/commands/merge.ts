import { join, resolve } from 'node:path';
import { readBaselineOrReport } from '../report/saved.js';
import { EXIT, InputError } from '../errors.js';
import { mergeReports } from '../history/merge.js';
import type { Io } from '../io.js';
import { useColor } from '../io.js';
import { renderConsoleSummary } from '../report/console.js';
import { renderMarkdown } from '../report/markdown.js';
import type { Report } from '../report/types.js';
import { writeFileAtomic, writeReports } from '../report/write.js';

/** `kdelta merge REPORT... --out DIR`: the shards of one run as one report, one family, one exit code. */
export async function mergeCommand(o: { reports: string[]; out: string }, io: Io): Promise<number> {
  const reports: Array<{ path: string; report: Report }> = [];
  for (const p of o.reports) {
    const path = resolve(io.cwd, p);
    const saved = await readBaselineOrReport(path);
    if (saved.kind !== 'report') throw new InputError('not a report.json written by kdelta run', { file: path, fix: 'merge the report.json of each shard' });
    reports.push({ path, report: saved.report });
  }
  const runId = `merged-${reports.map((r) => r.report.runId).sort()[0] ?? 'none'}`;
  const report = await mergeReports(reports, runId);
  const dir = resolve(io.cwd, o.out);
  const written = await writeReports(report, { dir });
  await writeFileAtomic(join(dir, 'comment.md'), renderMarkdown(report, { variant: 'comment' }));
  io.stderr.write(renderConsoleSummary(report, { color: useColor(io), written }));
  io.stdout.write(`${written.json}\n${written.junit}\n${written.markdown}\n`);
  if (report.status === 'error') return EXIT.workloadFailed;
  return report.status === 'regression' ? EXIT.regression : EXIT.ok;
}
