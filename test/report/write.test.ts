import { mkdir, readFile, readdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { validateReport } from '../../src/report/schema.js';
import { writeReports } from '../../src/report/write.js';
import { extendedJenkinsXsd, tempDir, xmllintSchema } from './helpers.js';
import { sampleReport } from './sample.js';

describe('writeReports', () => {
  test('writes report.json, junit.xml and summary.md that validate, and no temporary files', async () => {
    const root = tempDir();
    const dir = join(root, 'reports', 'run-1');
    const paths = await writeReports(sampleReport(), { dir });
    expect(paths).toEqual({ json: join(dir, 'report.json'), junit: join(dir, 'junit.xml'), markdown: join(dir, 'summary.md') });
    expect(validateReport(JSON.parse(await readFile(paths.json, 'utf8'))).ok).toBe(true);
    expect(xmllintSchema(await readFile(paths.junit, 'utf8'), extendedJenkinsXsd()).status).toBe(0);
    expect(await readFile(paths.markdown, 'utf8')).toMatch(/^## ⚠️ kdelta/);
    expect((await readdir(dir)).sort()).toEqual(['comment.md', 'junit.xml', 'report.html', 'report.json', 'summary.md']);
  });

  test('points the latest link at the newest run with a relative symlink, replacing the old one', async () => {
    const reports = join(tempDir(), 'reports');
    const latest = join(reports, 'latest');
    await writeReports(sampleReport(), { dir: join(reports, 'run-1'), latestLink: latest });
    expect(await readlink(latest)).toBe('run-1');
    await writeReports(sampleReport(), { dir: join(reports, 'run-2'), latestLink: latest });
    expect(await readlink(latest)).toBe('run-2');
    expect(JSON.parse(await readFile(join(latest, 'report.json'), 'utf8')).runId).toBe(sampleReport().runId);
    expect((await readdir(reports)).sort()).toEqual(['latest', 'run-1', 'run-2']);
  });

  test('a report that does not match the schema is a kdelta bug: it throws and writes nothing', async () => {
    const dir = join(tempDir(), 'run');
    await mkdir(dir);
    await writeFile(join(dir, 'report.json'), 'previous');
    const report = sampleReport();
    report.scenarios[0]!.metrics[0]!.samples = [Number.POSITIVE_INFINITY];
    await expect(writeReports(report, { dir, latestLink: join(dir, '..', 'latest') })).rejects.toThrow(
      /kdelta bug: the report does not match schemas\/report.schema.json \(\/scenarios\/0\/metrics\/0\/samples\/0: must be number/,
    );
    expect(await readdir(dir)).toEqual(['report.json']);
    expect(await readFile(join(dir, 'report.json'), 'utf8')).toBe('previous');
  });

  test('replaces an existing report whole', async () => {
    const dir = join(tempDir(), 'run');
    await mkdir(dir);
    await writeFile(join(dir, 'summary.md'), 'x'.repeat(5_000_000));
    await writeReports(sampleReport(), { dir });
    const md = await readFile(join(dir, 'summary.md'), 'utf8');
    expect(md).toMatch(/^## ⚠️ kdelta/);
    expect(md).not.toContain('xxxx');
  });
});
