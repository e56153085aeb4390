import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { InputError } from '../errors.js';
import type { WorkloadSpec } from '../scenario/types.js';
import { validateBaseline } from './schema.js';
import type { Baseline } from './types.js';

const RESTORE_FIX = (path: string): string =>
  `restore it (git checkout -- ${path}) or delete it and record a new one with kdelta baseline update`;

/** `<dir>/<machine>/<scenario>.json`. Names with a path separator or `..` are refused: they would write outside `dir`. */
export function baselinePath(dir: string, machine: string, scenario: string): string {
  for (const [what, name] of [
    ['machine', machine],
    ['scenario', scenario],
  ] as const) {
    if (name.length === 0 || name.includes('/') || name.includes('\\') || name === '.' || name === '..') {
      throw new InputError(`${what} name "${name}" cannot be used as a baseline file name`, 2, undefined, `use letters, digits, '.', '_' and '-' in the ${what} name`);
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
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new InputError(`cannot read baseline: ${(e as Error).message}`, 2, path);
  }
  return parseBaselineText(text, path);
}

/** Parses and validates baseline JSON text; `path` is only used in error messages. */
export function parseBaselineText(text: string, path: string): Baseline {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InputError(`baseline is not valid JSON: ${(e as Error).message}`, 2, path, RESTORE_FIX(path));
  }
  const result = validateBaseline(parsed);
  if (!result.ok) {
    const shown = result.errors.slice(0, 5).join('; ');
    const more = result.errors.length > 5 ? ` (and ${result.errors.length - 5} more)` : '';
    throw new InputError(`baseline does not match schemas/baseline.schema.json: ${shown}${more}`, 2, path, RESTORE_FIX(path));
  }
  return result.baseline;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
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
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(stableJson(baseline), 'utf8');
      // Without the flush, a crash just after the rename can leave an empty file under the real name.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
}

/**
 * sha256 (hex) of the workload definition as canonical JSON (sorted keys). Left out: the
 * timeout, which bounds a run without changing what it measures. With `relativeTo` (the
 * scenario file's folder), `cwd` and `module` are hashed relative to it, so the same
 * checkout in another directory (a CI runner's workspace) keeps its baselines.
 */
export function workloadHash(spec: WorkloadSpec, relativeTo?: string): string {
  const normalized: Record<string, unknown> = { ...spec };
  delete normalized.timeoutMs;
  if (relativeTo !== undefined) {
    for (const key of ['cwd', 'module'] as const) {
      const v = normalized[key];
      if (typeof v === 'string' && isAbsolute(v)) normalized[key] = relative(relativeTo, v) || '.';
    }
  }
  return createHash('sha256').update(JSON.stringify(sortKeys(normalized))).digest('hex');
}
