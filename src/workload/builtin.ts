import type { BuiltinName, WorkloadSpec } from '../scenario/types.js';
import { runCommand } from './command.js';
import { requireHelper } from './helpers.js';
import type { PreparedWorkload } from './types.js';

type BuiltinSpec = Extract<WorkloadSpec, { kind: 'builtin' }>;

/** Which scenario fields each load takes, as kdelta-load options (helpers/load.c). */
const BUILTIN_ARGS: Record<BuiltinName, (s: BuiltinSpec) => string[]> = {
  'cpu-contention': (s) => ['--threads', String(s.threads), '--duration-ms', String(s.durationMs)],
  'syscall-loop': (s) => ['--count', String(s.count)],
  'pipe-pingpong': (s) => ['--count', String(s.count), '--pairs', String(s.threads)],
  // The file goes to kdelta's working directory: a real file system there, unlike a tmpfs /tmp.
  'fsync-write': (s) => ['--count', String(s.count), '--dir', '.'],
  'loopback-tcp': (s) => ['--bytes', String(s.count)],
};

/** The kdelta-load argv for a builtin workload (without the program path). */
export function builtinArgs(spec: BuiltinSpec): string[] {
  const args = [spec.name, ...BUILTIN_ARGS[spec.name](spec)];
  if (spec.cpu !== null) args.push('--cpu', String(spec.cpu));
  return args;
}

/**
 * A builtin load: helpers/bin/kdelta-load run like any command (same cgroup entry, timeout,
 * failure outcomes); its `{"kdelta":"load"}` line fills the TaskSet threads and workload.ops.
 */
export async function prepareBuiltin(spec: BuiltinSpec): Promise<PreparedWorkload> {
  const load = await requireHelper('kdelta-load');
  const cgexec = await requireHelper('kdelta-cgexec');
  const argv: [string, ...string[]] = [load, ...builtinArgs(spec)];
  const cwd = process.cwd();
  return {
    inProcess: false,
    run: (ctx) =>
      runCommand(
        { argv, env: {}, cwd, timeoutMs: spec.timeoutMs, metrics: spec.metrics, label: `builtin ${spec.name}`, cgexec },
        ctx,
      ),
  };
}
