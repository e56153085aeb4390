import { dirname, extname, resolve } from 'node:path';
import { schemaErrors } from '../schema-validator.js';
import { BOUNDS } from './bounds.js';
import { listScenarioFiles, readScenarioFile } from './files.js';
import { findingsFromAjv } from './messages.js';
import { normalizeScenario } from './normalize.js';
import { parseScenarioText } from './parse.js';
import type { Positions } from './positions.js';
import { describeValue, isRecord, type Finding, type Problem } from './problem.js';
import { runRules, type RuleOptions } from './rules/index.js';
import { NAME_PATTERN, scenarioSchema, type ScenarioFile } from './schema.js';
import type { Scenario } from './types.js';

export { formatProblem, type Problem } from './problem.js';
export { SCENARIO_EXTENSIONS, listScenarioFiles } from './files.js';
export { SCENARIO_DEFAULTS } from './defaults.js';

const schemaErrorsOf = schemaErrors(scenarioSchema);
const NAME = new RegExp(NAME_PATTERN, 'u');

export interface ParsedScenario {
  /** Null when the file has problems. */
  scenario: Scenario | null;
  /** The `name` the file declares when it is a valid name (also for files with other problems), for duplicate checks. */
  name: string | null;
  namePosition: { line: number; col: number } | null;
  problems: Problem[];
}

/** The machine the checks are made for: syscall names are those of the architecture kdelta runs on. */
const HERE: RuleOptions = { arch: process.arch };

/**
 * Problems in file order, written out. Past the bound the rest are counted in one line rather
 * than listed, and their messages are never written.
 */
function problemsOf(file: string, findings: readonly Finding[], positions: Positions): Problem[] {
  const placed = findings.map((f) => ({ ...positions.of(f.path, f.at), f })).sort((a, b) => a.line - b.line || a.col - b.col);
  const shown = placed.slice(0, BOUNDS.problemsShown).map(({ line, col, f }) => ({
    file,
    line,
    col,
    message: typeof f.message === 'string' ? f.message : f.message(),
  }));
  const last = shown[shown.length - 1];
  if (placed.length > shown.length && last) {
    shown.push({ file, line: last.line, col: last.col, message: `and ${placed.length - shown.length} more problems in this file` });
  }
  return shown;
}

/**
 * Parses and validates one scenario file's text: the schema, then every rule, and only a file
 * with no problem is normalized. Pure: `file` is how problems name the file (a `.json` name
 * is read as strict JSON), `absFile` anchors relative paths.
 */
export function scenarioFromText(file: string, absFile: string, text: string, options: RuleOptions = HERE): ParsedScenario {
  const none: ParsedScenario = { scenario: null, name: null, namePosition: null, problems: [] };
  const parsed = parseScenarioText(text, extname(file).toLowerCase() === '.json');
  if (!parsed.ok) return { ...none, problems: parsed.problems.map((p) => ({ file, ...p })) };
  const { raw, positions } = parsed;
  if (raw === null || raw === undefined) {
    return { ...none, problems: [{ file, line: 1, col: 1, message: 'the file is empty: a scenario needs at least name and workload' }] };
  }
  if (!isRecord(raw)) {
    const message = `a scenario file must be a mapping of keys (name:, workload:, ...), not ${describeValue(raw)}`;
    return { ...none, problems: [{ file, ...positions.of([], 'value'), message }] };
  }
  const rules = runRules(raw, { folder: dirname(absFile), ...options, file: options.file ?? absFile });
  const findings = [...findingsFromAjv(schemaErrorsOf(raw)), ...rules.findings];
  const problems = problemsOf(file, findings, positions);
  const nameOk = typeof raw.name === 'string' && NAME.test(raw.name);
  return {
    scenario: problems.length === 0 ? normalizeScenario(raw as unknown as ScenarioFile, rules.values, absFile) : null,
    name: nameOk ? (raw.name as string) : null,
    namePosition: nameOk ? positions.of(['name'], 'value') : null,
    problems,
  };
}

/**
 * Loads every scenario under `paths` (files or folders). Every failure is a Problem, never an
 * exception; `scenarios` holds only the valid ones, in file order. Scenario names must be
 * unique across all the files loaded together.
 */
export async function loadScenarios(paths: readonly string[], options: RuleOptions = HERE): Promise<{ scenarios: Scenario[]; problems: Problem[] }> {
  const listed = await listScenarioFiles(paths);
  const problems = [...listed.problems];
  const scenarios: Scenario[] = [];
  const firstFileByName = new Map<string, string>();
  for (const file of listed.files) {
    const read = await readScenarioFile(file);
    if (!read.ok) {
      problems.push(read.problem);
      continue;
    }
    const parsed = scenarioFromText(file, resolve(file), read.text, options);
    problems.push(...parsed.problems);
    if (parsed.name !== null) {
      const first = firstFileByName.get(parsed.name);
      if (first !== undefined) {
        const pos = parsed.namePosition ?? { line: 1, col: 1 };
        problems.push({ file, line: pos.line, col: pos.col, message: `scenario name "${parsed.name}" is already used by ${first}` });
        continue;
      }
      firstFileByName.set(parsed.name, file);
    }
    if (parsed.scenario) scenarios.push(parsed.scenario);
  }
  return { scenarios, problems };
}
