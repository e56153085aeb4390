import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { extname } from 'node:path';
import { execa } from 'execa';
import { InputError } from '../errors.js';
import { cgroup2Mount, createCgroup, removeCgroup, type CgroupRef } from '../kernel/cgroup.js';
import type { WorkloadSpec } from '../scenario/types.js';
import { runCommand } from './command.js';
import { requireHelper, TINYBENCH_RUNNER } from './helpers.js';
import type { PreparedWorkload } from './types.js';

type TinybenchSpec = Extract<WorkloadSpec, { kind: 'tinybench' }>;

/**
 * A tinybench module. Its tasks run in a child node process (helpers/tinybench-runner.mjs)
 * started in the repetition's cgroup like any command: run in kdelta's own process they would
 * share it with the collectors' timers and reads, and the kernel capture could not tell the
 * benchmark's run-queue waits and syscalls from kdelta's. wall_time therefore includes node's
 * start-up (~50 ms here); the per-task figures do not.
 */
export async function prepareTinybench(spec: TinybenchSpec, signal?: AbortSignal): Promise<PreparedWorkload> {
  await access(spec.module).catch(() => {
    throw new InputError(`tinybench module not found: ${spec.module}`, { file: spec.module, fix: 'check the path in the scenario (relative paths are resolved against the scenario file)' });
  });
  const ext = extname(spec.module);
  const nodeStripsTypes = (process.features as { typescript?: unknown }).typescript;
  if (['.ts', '.mts', '.cts'].includes(ext) && !nodeStripsTypes) {
    throw new InputError(`tinybench module ${spec.module} is TypeScript, which node ${process.version} cannot import`, { file: spec.module, fix: 'compile it to JavaScript and point the scenario at the .js/.mjs file, or use node >= 22.18' });
  }
  const cgexec = await requireHelper('kdelta-cgexec');
  // Import the module once before any repetition, so a typo or a module without tasks is bad
  // input reported up front, not a failed workload.
  await listTasks(spec.module, cgexec, signal);
  const argv: [string, ...string[]] = [process.execPath, TINYBENCH_RUNNER, spec.module, String(spec.timeMs), String(spec.iterations)];
  return {
    inProcess: false,
    run: (ctx) =>
      runCommand(
        { argv, env: {}, cwd: process.cwd(), timeoutMs: spec.timeoutMs, metrics: spec.metrics, label: `tinybench ${spec.module}`, cgexec },
        ctx,
      ),
  };
}

/** How long importing the module to list its tasks may take: a module that never settles (a top-level timer) is bad input. */
const LIST_TIMEOUT_MS = 30_000;

/**
 * Imports the module in a child to list its tasks. The child runs in a cgroup of its own where
 * kdelta can make one (named like a run's, so a killed kdelta's leftover is swept), and
 * everything it started is killed afterwards: a module that spawns something at import time
 * must not leave it running outside every measurement.
 */
async function listTasks(module: string, cgexec: string, signal?: AbortSignal): Promise<void> {
  const mount = await cgroup2Mount();
  let cg: CgroupRef | null = null;
  if (mount !== null && process.getuid?.() === 0) {
    cg = await createCgroup(join(mount, `kdelta-${process.pid}-list-${Date.now().toString(36)}`)).catch(() => null);
  }
  const runner = [process.execPath, TINYBENCH_RUNNER, '--list', module];
  const [file, ...args] = cg ? [cgexec, cg.path, ...runner] : runner;
  // Its own process group, so without a cgroup what it started can still be killed as a group.
  // The first SIGINT/SIGTERM ends the listing too (a module that takes its time to import).
  const child = execa(file!, args, { reject: false, stdin: 'ignore', timeout: LIST_TIMEOUT_MS, detached: true, forceKillAfterDelay: 1000, killSignal: 'SIGKILL', ...(signal && { cancelSignal: signal }) });
  try {
    const listed = await child;
    signal?.throwIfAborted();
    if (listed.timedOut) {
      throw new InputError(`importing ${module} to list its tasks did not finish within ${LIST_TIMEOUT_MS / 1000} s`, { file: module, fix: 'do not start timers or servers at the top level of a tinybench module; start them inside the task functions' });
    }
    if (listed.exitCode !== 0) {
      const why = String(listed.stderr).trim().replace(/^kdelta tinybench: /u, '') || `the runner exited with ${String(listed.exitCode ?? listed.signal)}`;
      throw new InputError(why, { file: module });
    }
  } finally {
    if (cg) await removeCgroup(cg.path).catch(() => undefined);
    else if (child.pid !== undefined) killGroup(child.pid);
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* the group is already gone */
  }
}
