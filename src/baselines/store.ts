import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../files.js';
import { sortKeys } from './hash.js';
import { parseBaselineText } from './parse.js';
import { validateBaseline } from './schema.js';
import type { Baseline } from './types.js';
import { readRegularFile } from '../safe-fs.js';

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
 * one, never half of either. An invalid baseline is a kdelta bug and is not written.
 */
export async function writeBaseline(path: string, baseline: Baseline): Promise<void> {
  const check = validateBaseline(baseline);
  if (!check.ok) throw new Error(`kdelta bug: refusing to write an invalid baseline to ${path}: ${check.errors.join('; ')}`);
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, stableJson(baseline));
}

// The functions `kdelta run --update-baselines` and `kdelta baseline update` use, importable
// from one module.
export { workloadHash } from './hash.js';
export { parseBaselineText } from './parse.js';
export { baselineFromMetrics, baselineFromRun } from './update.js';
