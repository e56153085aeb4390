import { EXIT } from '../errors.js';
import type { Io } from '../io.js';
import { formatProblem, loadScenarios } from '../scenario/load.js';

export interface ValidateOptions {
  paths: string[];
}

/** `kdelta validate`: every problem in the scenario files at once, as file:line:col; exit 2 when there is one. */
export async function validateCommand(o: ValidateOptions, io: Io): Promise<number> {
  const { scenarios, problems } = await loadScenarios(o.paths);
  for (const p of problems) io.stderr.write(formatProblem(p) + '\n');
  if (problems.length) {
    io.stderr.write(`kdelta: ${problems.length} problem${problems.length === 1 ? '' : 's'} in scenario files\n`);
    return EXIT.badInput;
  }
  io.stdout.write(`${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} valid: ${scenarios.map((s) => s.name).join(', ')}\n`);
  return EXIT.ok;
}
