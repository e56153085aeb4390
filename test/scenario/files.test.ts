import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOUNDS } from '../../src/scenario/bounds.js';
import { formatProblem, loadScenarios } from '../../src/scenario/load.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kdelta-scn-files-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const NOT_REGULAR = 'is not a regular file (a FIFO, socket or device would block or never end): name a scenario file';

describe('scenario files that are not plain files', () => {
  // Opening a FIFO for reading waits for a writer: a loader that opened it would hang here
  // until the test's timeout.
  test('a FIFO named as a scenario is refused without waiting for a writer', async () => {
    const fifo = join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const { scenarios, problems } = await loadScenarios([fifo]);
    expect(scenarios).toEqual([]);
    expect(problems.map(formatProblem)).toEqual([`${fifo}: ${NOT_REGULAR}`]);
  });

  test('a FIFO among a folder of scenarios is refused and the rest still load', async () => {
    const folder = join(dir, 'mixed');
    execFileSync('mkdir', [folder]);
    execFileSync('mkfifo', [join(folder, 'a.yaml')]);
    await writeFile(join(folder, 'b.yaml'), 'name: b\nworkload: { command: [x] }\n');
    const { scenarios, problems } = await loadScenarios([folder]);
    expect(scenarios.map((s) => s.name)).toEqual(['b']);
    expect(problems.map(formatProblem)).toEqual([`${join(folder, 'a.yaml')}: ${NOT_REGULAR}`]);
  });

  test('a character device is refused the same way', async () => {
    const { problems } = await loadScenarios(['/dev/zero']);
    expect(problems.map(formatProblem)).toEqual([`/dev/zero: ${NOT_REGULAR}`]);
  });

  test('a file over the size bound is refused from its size, before it is read', async () => {
    const big = join(dir, 'big.yaml');
    const text = `name: big\nworkload: { command: [x] }\ndescription: "${'a'.repeat(BOUNDS.fileBytes)}"\n`;
    await writeFile(big, text);
    const { problems } = await loadScenarios([big]);
    expect(problems.map(formatProblem)).toEqual([`${big}: the file is ${Buffer.byteLength(text)} bytes: a scenario file may be at most 1 MiB`]);
  });
});
