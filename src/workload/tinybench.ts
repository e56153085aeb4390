import { access } from 'node:fs/promises';
import { extname } from 'node:path';
import { execa } from 'execa';
import { InputError } from '../errors.js';
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
export async function prepareTinybench(spec: TinybenchSpec): Promise<PreparedWorkload> {
  await access(spec.module).catch(() => {
    throw new InputError(`tinybench module not found: ${spec.module}`, { file: spec.module, fix: 'check the path in the scenario (relative paths are resolved against the scenario file)' });
  });
  const ext = extname(spec.module);
  const nodeStripsTypes = (process.features as { typescript?: unknown }).typescript;
  if (['.ts', '.mts', '.cts'].includes(ext) && !nodeStripsTypes) {
    throw new InputError(`tinybench module ${spec.module} is TypeScript, which node ${process.version} cannot import`, { file: spec.module, fix: 'compile it to JavaScript and point the scenario at the .js/.mjs file, or use node >= 22.18' });
  }
  const cgexec = await requireHelper('kdelta-cgexec');
  // Import the module once outside any cgroup, so a typo or a module without tasks is bad
  // input reported before any repetition, not a failed workload.
  const listed = await execa(process.execPath, [TINYBENCH_RUNNER, '--list', spec.module], { reject: false, stdin: 'ignore' });
  if (listed.exitCode !== 0) {
    const why = String(listed.stderr).trim().replace(/^kdelta tinybench: /, '') || `the runner exited with ${String(listed.exitCode ?? listed.signal)}`;
    throw new InputError(why, { file: spec.module });
  }
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
