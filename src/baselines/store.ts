import { access, constants, mkdir, statfs } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { writeFailure, writeFileAtomic } from '../files.js';
import { sortKeys } from './hash.js';
import { parseBaselineText } from './parse.js';
import { validateBaseline } from './schema.js';
import type { Baseline } from './types.js';
import { makeDirs, readRegularFile } from '../safe-fs.js';

/** `<dir>/<machine>/<scenario>.json`. Names with a path separator or `..` are refused: they would write outside `dir`. */
export function baselinePath(dir: string, machine: string, scenario: string): string {
  for (const [what, name] of [
    ['machine', machine],
    ['scenario', scenario],
  ] as const) {
    if (name.length === 0 || name.includes('/') || name.includes('\\') || name === '.' || name === '..') {
      throw new InputError(`${what} name "${name}" cannot be used as a baseline file name`, { fix: `use letters, digits, '.', '_' and '-' in the ${what} name` });
    }
  }
  return join(dir, machine, `${scenario}.json`);
}

/**
 * Reads and validates a baseline. Absent -> null (the run reports `no-baseline`). Unreadable,
 * corrupt JSON or schema-invalid -> InputError (exit 2) naming the file and what is wrong;
 * the file is only read, never touched, so a corrupt baseline is never replaced by accident.
 */
export async function readBaseline(path: string): Promise<Baseline | null> {
  let text: string;
  try {
    text = await readRegularFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new InputError(`cannot read baseline: ${(e as Error).message}`, { file: path });
  }
  return parseBaselineText(text, path);
}

/**
 * Pretty JSON with sorted keys at every level, so an update diffs as the metrics that changed.
 * Arrays of numbers stay on one line: one metric's samples are one line of the diff.
 */
export function stableJson(value: unknown): string {
  const pretty = JSON.stringify(sortKeys(value), null, 2);
  const inlined = pretty.replace(/\[\n(\s*-?[\d.eE+-]+,?\n)+\s*\]/gu, (block) => {
    const nums = block.slice(1, -1).split(',').map((s) => s.trim());
    return `[${nums.join(', ')}]`;
  });
  return `${inlined}\n`;
}

/**
 * Writes a baseline atomically: a temporary file in the same folder (same file system, so
 * rename is atomic), then rename over the target. A crash leaves the old file or the new
 * one, never half of either. An invalid baseline is a kdelta bug and is not written; a full,
 * read-only or unwritable folder is exit 3 naming the file.
 */
export async function writeBaseline(path: string, baseline: Baseline): Promise<void> {
  const check = validateBaseline(baseline);
  if (!check.ok) throw new Error(`kdelta bug: refusing to write an invalid baseline to ${path}: ${check.errors.join('; ')}`);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, stableJson(baseline));
  } catch (err) {
    throw writeFailure(err, path, 'the baseline', 'pass --baselines a folder elsewhere');
  }
}

// The functions `kdelta run --update-baselines` and `kdelta baseline update` use, importable
// from one module.
export { workloadHash } from './hash.js';
export { parseBaselineText } from './parse.js';
export { baselineFromMetrics, baselineFromRun } from './update.js';

/** Room one machine's baselines need: a baseline of 1,000 metrics is well under this. */
export const BASELINE_SPACE_BYTES = 1024 * 1024;

/**
 * Makes sure baselines can be written into `<dir>/<machine>/` before anything is measured: a
 * read-only, full or unwritable folder is exit 3 now, not after the run.
 */
export async function checkBaselinesWritable(dir: string, machine: string): Promise<void> {
  const folder = join(dir, machine);
  try {
    await makeDirs(folder);
    await access(folder, constants.W_OK);
    const fs = await statfs(folder);
    if (fs.bavail * fs.bsize < BASELINE_SPACE_BYTES) throw Object.assign(new Error('no space'), { code: 'ENOSPC' });
  } catch (err) {
    const failure = writeFailure(err, folder, 'baselines', 'pass --baselines a folder elsewhere');
    if (failure !== err) throw failure;
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new InputError(`cannot write baselines into ${folder}: ${code}`, { file: folder, fix: 'pass --baselines a folder kdelta can create or write' });
  }
}
