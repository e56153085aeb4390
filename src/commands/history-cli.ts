import { Command, InvalidArgumentError } from 'commander';
import type { Io } from '../io.js';

/**
 * The history and merge commands' place in the CLI, apart from cli.ts so the store's native
 * modules (better-sqlite3, pg) load only when one of these commands runs.
 */
const collect = (value: string, previous: string[]) => [...previous, value];
function atLeastOne(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1, e.g. 5');
  return n;
}

/** `kdelta history add|import|list|export|detect|dashboard`, each loading the store code only when used. */
export function addHistoryCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  const history = program.command('history').description('every run kept in a database: change points across commits, a dashboard');
  const store = (c: Command) => c.option('--store <path-or-url>', 'SQLite file or postgres:// URL (default: $KDELTA_STORE or .kdelta/history.sqlite)').option('--machine <name>', 'machine class');
  const series = (c: Command) => store(c).option('--scenario <name>', 'only this scenario (repeatable)', collect, []).option('--metric <pattern>', 'only metrics matching this name (* matches anything)').option('--since <date>', 'only runs whose commit time is at or after this');
  const gate = (c: Command) => c.option('--window <n>', 'a regression change point among the last N runs exits 1', atLeastOne, 5).option('--tolerance <percent>', 'smallest change that counts where the run stored none', percent, 0.05);
  const run = (action: string) => async (...args: unknown[]) => {
    const { historyCommand } = await import('./history.js');
    const reports = Array.isArray(args[0]) ? (args[0] as string[]) : [];
    const o = (Array.isArray(args[0]) ? args[1] : args[0]) as Record<string, unknown>;
    setExit(await historyCommand({ action, reports, ...o } as Parameters<typeof historyCommand>[0], io));
  };
  for (const name of ['add', 'import'] as const) {
    store(history.command(name))
      .description(name === 'add' ? 'add reports to the history' : 'add reports, skipping runs already there (same as add)')
      .argument('<reports...>', 'report.json files')
      .option('--commit <sha>', 'commit under test (default: $KDELTA_COMMIT or $GITHUB_SHA)')
      .option('--commit-time <time>', 'its commit time; series are ordered by it (default: $KDELTA_COMMIT_TIME, else the run start)')
      .option('--branch <name>', 'branch (default: $GITHUB_REF_NAME)')
      .option('--report-url <url>', "where the dashboard links the run (default: the report's path), e.g. the CI run that keeps it")
      .action(run(name));
  }
  store(history.command('list')).description('the stored runs').option('--since <date>', 'only runs since').option('--json', 'one JSON array').action(run('list'));
  series(history.command('export')).description('the series as CSV (the shape Apache Otava reads) or JSON').option('--format <csv|json>', 'csv or json', 'csv').action(run('export'));
  gate(series(history.command('detect'))).description('change points per machine class and metric; exit 1 on a recent regression').option('--json', 'one JSON object').option('--issues <dir>', 'also write an issue body (<key>.md) and title (<key>.title) per regression that exits 1').action(run('detect'));
  gate(series(history.command('dashboard'))).description('a static site: one page per scenario, one chart per metric').requiredOption('--out <dir>', 'folder to write the site into').action(run('dashboard'));
}

function percent(value: string): number {
  const m = /^(\d+(?:\.\d+)?)%?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('expected a percentage, e.g. 5%');
  return Number(m[1]) / 100;
}


/** `kdelta merge`: loads its code only when used. */
export function addMergeCommand(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command('merge')
    .description('combine the reports of shards into one report, one family, one exit code')
    .argument('<reports...>', 'report.json of each shard')
    .requiredOption('--out <dir>', 'write the merged report.json, junit.xml and summary.md here')
    .action(async (reports: string[], o: { out: string }) => {
      const { mergeCommand } = await import('./merge.js');
      setExit(await mergeCommand({ reports, out: o.out }, io));
    });
}
