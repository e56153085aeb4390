// An abort in the very first moments of a repetition, before kdelta-cgexec has joined the
// repetition's cgroup: the cgroup is still empty then, so killing it alone would miss the
// workload, which would run to its end. Seen in CI as a SIGTERM that kdelta did not act on.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeMachine } from '../../src/environment/probe.js';
import { createCgroup, removeCgroup, type CgroupRef } from '../../src/kernel/cgroup.js';
import { runCommand } from '../../src/workload/command.js';
import { processesWithArgv } from '../cli/support.js';

const CGEXEC = fileURLToPath(new URL('../../helpers/bin/kdelta-cgexec', import.meta.url));
let parent = '';
const made: CgroupRef[] = [];

beforeAll(async () => {
  const facts = await probeMachine();
  if (!facts.cgroup2) throw new Error('no cgroup v2 hierarchy: this test needs one, as root');
  parent = join(facts.cgroup2, `kdelta-test-abort-${process.pid}`);
});
afterAll(async () => {
  for (const cg of made) await removeCgroup(cg.path);
  await removeCgroup(parent);
});

describe('an abort right after the workload is spawned', () => {
  it('kills it even before it has joined its cgroup: aborted at once, nothing left', async () => {
    for (let i = 0; i < 5; i++) {
      const cg = await createCgroup(join(parent, `r${i}`));
      made.push(cg);
      const controller = new AbortController();
      const t0 = Date.now();
      const run = runCommand(
        { argv: ['sleep', '969'], env: {}, cwd: '/', timeoutMs: 60_000, metrics: [], label: 'sleep 969', cgexec: CGEXEC },
        { cgroup: cg, signal: controller.signal },
      );
      // In the same tick as the spawn: kdelta-cgexec cannot have joined the cgroup yet.
      controller.abort();
      const outcome = await run;
      expect(outcome.state === 'failed' && outcome.kind).toBe('aborted');
      expect(Date.now() - t0).toBeLessThan(20_000);
      expect(processesWithArgv('sleep', '969')).toEqual([]);
    }
  }, 120_000);
});
