import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll } from 'vitest';
import { createEbpfCapture } from '../../src/collect/bpf/choose.js';
import { bpfAvailability } from '../../src/collect/bpf/session.js';
import type { RepetitionCapture, RepetitionRef } from '../../src/collect/types.js';
import { probeMachine } from '../../src/environment/probe.js';
import type { MachineFacts } from '../../src/environment/types.js';
import { createCgroup, removeCgroup } from '../../src/kernel/cgroup.js';
import type { EbpfSpec } from '../../src/scenario/types.js';

/*
 * The set-up the libbpf tests on helpers/bin/kdelta-groups share: the helpers built, the
 * machine probed, the capture required (CI runs as root), one parent cgroup per test file.
 */
export const ROOT = join(import.meta.dirname, '..', '..');
export const GROUPS = join(ROOT, 'helpers', 'bin', 'kdelta-groups');

export interface GroupsRun {
  capture: RepetitionCapture;
  /** What the program measured itself, by metric name. */
  own: Map<string, number>;
}

/** Registers the file's beforeAll/afterAll; `capture` runs kdelta-groups in a fresh cgroup under one session. */
export function libbpfGroupsSetup(name: string): { facts: () => MachineFacts; capture: (spec: EbpfSpec, argv: string[]) => Promise<GroupsRun> } {
  let facts: MachineFacts | undefined;
  let parent = '';
  beforeAll(async () => {
    await execa('node', [join(ROOT, 'scripts', 'build-helpers.mjs')], { cwd: ROOT });
    facts = await probeMachine();
    const avail = bpfAvailability(facts);
    if (avail.state !== 'ready') throw new Error(`the libbpf capture must run here (CI runs as root): ${avail.reason}`);
    parent = join(facts.cgroup2!, `kdelta-${name}-test-${process.pid}`);
  });
  afterAll(async () => {
    if (parent) await removeCgroup(parent);
  });
  const factsNow = (): MachineFacts => {
    if (!facts) throw new Error('the machine was not probed (beforeAll failed)');
    return facts;
  };
  const capture = async (spec: EbpfSpec, argv: string[]): Promise<GroupsRun> => {
    const rep: RepetitionRef = { index: 0, warmup: false, cgroup: await createCgroup(join(parent, `g${Date.now()}`)) };
    // The collector the runner uses, forced to the libbpf capture: what it adds to the spec counts.
    const session = createEbpfCapture(spec, factsNow(), 'libbpf');
    try {
      await session.start([rep]);
      await session.beforeRepetition(rep);
      const r = await execa('sh', ['-c', 'echo 0 > "$1/cgroup.procs" && shift && exec "$@"', 'kdelta', rep.cgroup!.path, GROUPS, ...argv]);
      const result = await session.afterRepetition(rep, { pid: null, threads: [] });
      const own = new Map<string, number>();
      for (const line of r.stdout.split('\n')) {
        const o = JSON.parse(line) as { metric: string; value: number };
        own.set(o.metric, o.value);
      }
      return { capture: result, own };
    } finally {
      await session.stop();
      await removeCgroup(rep.cgroup!.path);
    }
  };
  return { facts: factsNow, capture };
}
