import { resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { Io } from '../io.js';
import { formatProblem, loadScenarios } from '../scenario/load.js';
import type { Scenario } from '../scenario/types.js';

/**
 * The scenarios a run takes: every one in `paths`, or those named with `--scenario`. Any
 * problem in any file is bad input (exit 2) before anything runs, each printed as file:line:col.
 */
export async function selectScenarios(paths: string[], only: string[], io: Io): Promise<Scenario[]> {
  const { scenarios, problems } = await loadScenarios(paths.map((p) => resolve(io.cwd, p)));
  if (problems.length) {
    for (const p of problems) io.stderr.write(formatProblem(p) + '\n');
    throw new InputError(`${problems.length} problem${problems.length === 1 ? '' : 's'} in scenario files`, { fix: 'run `kdelta validate` and fix what it lists' });
  }
  const unknown = only.filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length) {
    throw new InputError(`no scenario named ${unknown.join(', ')} in ${paths.join(' ')}`, { fix: `known: ${scenarios.map((s) => s.name).join(', ')}` });
  }
  const picked = only.length ? scenarios.filter((s) => only.includes(s.name)) : scenarios;
  if (picked.length === 0) throw new InputError(`no scenario files in ${paths.join(' ')}`, { fix: 'name a scenario file or a folder with *.yaml files' });
  return picked;
}
