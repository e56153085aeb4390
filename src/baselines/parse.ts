import { InputError } from '../errors.js';
import { validateBaseline } from './schema.js';
import type { Baseline } from './types.js';

const RESTORE_FIX = (path: string): string =>
  `restore it (git checkout -- ${path}) or delete it and record a new one with kdelta baseline update`;

/** Parses and validates baseline JSON text; `path` is only used in error messages. */
export function parseBaselineText(text: string, path: string): Baseline {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new InputError(`baseline is not valid JSON: ${(e as Error).message}`, { file: path, fix: RESTORE_FIX(path) });
  }
  const result = validateBaseline(parsed);
  if (!result.ok) {
    const shown = result.errors.slice(0, 5).join('; ');
    const more = result.errors.length > 5 ? ` (and ${result.errors.length - 5} more)` : '';
    throw new InputError(`baseline does not match schemas/baseline.schema.json: ${shown}${more}`, { file: path, fix: RESTORE_FIX(path) });
  }
  return result.baseline;
}

