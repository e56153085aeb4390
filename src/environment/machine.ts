import { execa } from 'execa';
import { InputError } from '../errors.js';
import { fingerprint, machineSlug } from './fingerprint.js';
import { ensureTracefs, probeMachine } from './probe.js';
import type { Fingerprint, MachineFacts } from './types.js';

/**
 * Probes the machine once for a run; mounts tracefs when an eBPF capture wants it and kdelta
 * may (root), and says so through `log`.
 */
export async function probeForRun(wantsEbpf: boolean, log: { info(message: string): void; warn(message: string): void }): Promise<{ facts: MachineFacts; fp: Fingerprint }> {
  let facts = await probeMachine();
  if (facts.isRoot && !facts.tracefs && wantsEbpf) {
    const fixed = await ensureTracefs(facts);
    if (fixed.mounted) {
      log.info(`mounted tracefs at ${fixed.path ?? '/sys/kernel/tracing'} for the eBPF capture`);
      facts = await probeMachine();
    } else if (fixed.error) log.warn(`could not mount tracefs: ${fixed.error}`);
  }
  return { facts, fp: await fingerprint(facts) };
}

/** The machine class baselines are filed under: `--machine`, else $KDELTA_MACHINE, else a slug of the fingerprint. */
export function machineName(option: string | undefined, env: NodeJS.ProcessEnv, fp: Fingerprint): string {
  const name = option ?? env['KDELTA_MACHINE'] ?? machineSlug(fp);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new InputError(`machine name "${name}" cannot be a folder name`, { fix: 'use letters, digits, ".", "_" and "-"' });
  }
  return name;
}

/** The commit of the code under test: CI's variable when set, else the checkout kdelta runs in, else unknown. */
export async function gitCommit(env: NodeJS.ProcessEnv, cwd: string): Promise<string | null> {
  const fromEnv = env['KDELTA_COMMIT'] ?? env['GITHUB_SHA'];
  if (fromEnv) return fromEnv;
  const git = await execa('git', ['rev-parse', 'HEAD'], { cwd, reject: false, timeout: 5000 });
  return git.exitCode === 0 && /^[0-9a-f]{40}$/.test(git.stdout.trim()) ? git.stdout.trim() : null;
}
