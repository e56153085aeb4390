import { stat } from 'node:fs/promises';
import { InputError } from '../errors.js';
import type { ServiceSpec, WorkloadSpec } from '../scenario/types.js';
import { prepareBuiltin } from './builtin.js';
import { argvLabel, runCommand } from './command.js';
import { requireHelper } from './helpers.js';
import { ServiceProcess } from './service.js';
import { prepareTinybench } from './tinybench.js';
import type { PreparedWorkload } from './types.js';

type CommandSpec = Extract<WorkloadSpec, { kind: 'command' }>;

/**
 * Checks what can be checked before the first repetition (helpers built, module present,
 * working directory exists) and returns the workload ready to run. Bad input or a missing
 * helper is an InputError carrying the fix; everything that goes wrong while a repetition
 * runs is a WorkloadOutcome.
 */
export async function prepareWorkload(spec: WorkloadSpec, signal?: AbortSignal): Promise<PreparedWorkload> {
  switch (spec.kind) {
    case 'command':
      return prepareCommand(spec);
    case 'builtin':
      return prepareBuiltin(spec);
    case 'tinybench':
      return prepareTinybench(spec, signal);
  }
}

async function prepareCommand(spec: CommandSpec): Promise<PreparedWorkload> {
  const isDir = await stat(spec.cwd).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new InputError(`workload cwd is not a directory: ${spec.cwd}`, { fix: 'fix workload.cwd in the scenario' });
  const cgexec = await requireHelper('kdelta-cgexec');
  const invocation = {
    argv: spec.argv,
    env: spec.env,
    cwd: spec.cwd,
    timeoutMs: spec.timeoutMs,
    metrics: spec.metrics,
    label: `\`${argvLabel(spec.argv)}\``,
    cgexec,
  };
  const service = spec.service ? await prepareService(spec.service, cgexec) : undefined;
  return { inProcess: false, run: (ctx) => runCommand(invocation, ctx), ...(service && { service }) };
}

async function prepareService(spec: ServiceSpec, cgexec: string): Promise<ServiceProcess> {
  const isDir = await stat(spec.cwd).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) throw new InputError(`workload.service cwd is not a directory: ${spec.cwd}`, { fix: 'fix workload.service.cwd in the scenario' });
  return new ServiceProcess({ ...spec, label: `service \`${argvLabel(spec.argv)}\``, cgexec });
}
