import { Command, CommanderError, Option } from 'commander';
import { EXIT, KdeltaError } from './errors.js';
import { repetitionsOption, seedOption, warmupOption } from './commands/options.js';
import type { Io } from './io.js';
import { Interrupted, interruptedExitCode, runHardStops } from './io.js';
import { VERSION_TEXT } from './version.js';
import { inertLines } from './workflow-commands.js';
import { addHistoryCommands, addMergeCommand } from './commands/history-cli.js';
import type { RunCommandOptions } from './commands/run.js';

export type { Io } from './io.js';

const collect = (value: string, previous: string[]) => [...previous, value];

/** What `run` and `baseline update` both take: which scenarios, how often, against which baselines. */
function withScenarioRunOptions(command: Command): Command {
  return command
    .argument('[paths...]', 'scenario files or directories', ['scenarios/'])
    .option('--baselines <dir>', 'baseline directory', 'baselines/')
    .option('--machine <name>', 'machine class for baselines (default: $KDELTA_MACHINE or a slug of the fingerprint)')
    .option('--repetitions <n>', 'override the scenario repetitions', repetitionsOption)
    .option('--warmup <n>', 'override the scenario warm-up repetitions', warmupOption)
    .option('--scenario <name>', 'only this scenario (repeatable)', collect, []);
}

/** Builds the `Io` of the real process; SIGINT/SIGTERM abort the run instead of killing kdelta mid-write. */
export function processIo(): Io {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: 'SIGINT' | 'SIGTERM') => {
    signals++;
    if (signals === 1) {
      const reason = new Interrupted(sig);
      process.exitCode = reason.exitCode;
      controller.abort(reason);
    } else {
      // The user does not want to wait for the orderly stop: bpftrace is told to stop now, and
      // kdelta dies of the signal. The workload was already killed by the first one; a cgroup
      // left behind is removed by the next kdelta run (sweepOrphanCgroups).
      process.stderr.write(`kdelta: ${sig} again: stopping now, without writing reports\n`);
      runHardStops();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.kill(process.pid, sig);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: Boolean(process.stderr.isTTY),
    signal: controller.signal,
  };
}

/** Each command, wired to commander; `done` receives the exit code the command returned. */
function defineCommands(program: Command, io: Io, done: (code: number) => void): void {
  withScenarioRunOptions(program.command('run'))
    .description('run scenarios, capture the kernel, compare with baselines, write reports')
    .option('--out <dir>', 'write report.json, junit.xml and summary.md into this directory')
    .option('--update-baselines', 'store this run as the new baselines')
    .option('--reason <text>', 'why the baselines are updated (kept in provenance)')
    .option('--shard <i/N>', 'run only shard i of N (stable by scenario name)')
    .option('--history <store>', 'also keep the run in this history store (SQLite path or postgres:// URL)')
    .option('--pretty', 'indent report.json for reading (compact by default)')
    .action(async (paths: string[], o: { out?: string; pretty?: boolean; baselines: string; machine?: string; repetitions?: number; warmup?: number; scenario: string[]; updateBaselines?: boolean; reason?: string; shard?: string; history?: string }) => {
      const { runCommand } = await import('./commands/run.js');
      const { history, ...rest } = o;
      const afterReport =
        history === undefined
          ? undefined
          : ((async (report, dir) => (await import('./commands/history.js')).recordAfterRun(history, report, dir, io, o.machine)) satisfies RunCommandOptions['afterReport']);
      done(await runCommand({ paths, ...rest, ...(afterReport && { afterReport }) }, io));
    });

  defineInspectCommands(program, io, done);
  defineSideCommands(program, io, done);
  addHistoryCommands(program, io, done);
  addMergeCommand(program, io, done);
}

/** The commands that read files and the machine without measuring: validate, doctor, compare, export. */
function defineInspectCommands(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('validate')
    .description('check scenario files; every problem as file:line:col')
    .argument('[paths...]', 'scenario files or directories', ['scenarios/'])
    .action(async (paths: string[]) => {
      const { validateCommand } = await import('./commands/validate.js');
      done(await validateCommand({ paths }, io));
    });

  program
    .command('doctor')
    .description('what this machine can measure, and why not')
    .option('--json', 'print one JSON object')
    .option('--fix', 'fix what can be fixed here (mount tracefs)')
    .action(async (o: { json?: boolean; fix?: boolean }) => {
      const { doctorCommand } = await import('./commands/doctor.js');
      done(await doctorCommand(o, io));
    });

  program
    .command('compare')
    .description('compare two saved results (a baseline or report.json, then a report.json)')
    .argument('<baseline-or-report>', 'baseline file or report.json to compare against')
    .argument('<report>', 'report.json of the run under test')
    .option('--out <dir>', 'write report.json, junit.xml and summary.md into this directory')
    .option('--pretty', 'indent report.json for reading (compact by default)')
    .action(async (base: string, current: string, o: { out?: string; pretty?: boolean }) => {
      const { compareCommand } = await import('./commands/compare.js');
      done(await compareCommand({ base, current, ...o }, io));
    });

  program
    .command('export')
    .description('a report\'s metrics for a dashboard: Bencher (bmf), github-action-benchmark or CSV')
    .argument('<report>', 'report.json of a run')
    .requiredOption('--format <format>', 'bmf | github-action-benchmark | csv')
    .option('--all', 'every metric, not only the gated ones')
    .option('--direction <lower|higher>', 'github-action-benchmark: the metrics where lower (customSmallerIsBetter, default) or higher (customBiggerIsBetter) is better')
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (report: string, o: { format: string; all?: boolean; direction?: string; out?: string }) => {
      const { exportCommand } = await import('./commands/export.js');
      done(await exportCommand({ report, ...o }, io));
    });

}

/** The commands that measure besides `run`: the A/B comparison and the baseline update. */
function defineSideCommands(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('ab')
    .description('measure two sides (checkouts or environments) of the same scenarios interleaved on this machine, paired round by round')
    .argument('[paths...]', 'scenario files or directories, in each side\'s tree', ['scenarios/'])
    .option('--base <dir>', 'the base side\'s checkout (default: the current folder)')
    .option('--head <dir>', 'the head side\'s checkout (default: the current folder)')
    .option('--base-env <K=V>', 'environment for the base side\'s command workloads (repeatable)', collect, [])
    .option('--head-env <K=V>', 'environment for the head side\'s command workloads (repeatable)', collect, [])
    .option('--prepare <argv>', 'build each side once in its tree before measuring (an argv, not a shell line)')
    .option('--rounds <min:max>', 'rounds until decided (overrides the scenario\'s rounds; default 5:30)')
    .option('--warmup <n>', 'warm-up repetitions per side', warmupOption)
    .option('--seed <n>', 'seed of the round order (default: from the run id; recorded in report.json)', seedOption)
    .addOption(new Option('--test <test>', 'paired test').choices(['signed-rank', 'bootstrap']))
    .option('--scenario <name>', 'only this scenario (repeatable)', collect, [])
    .option('--out <dir>', 'write the reports into this directory')
    .action(async (paths: string[], o: { base?: string; head?: string; baseEnv: string[]; headEnv: string[]; prepare?: string; rounds?: string; warmup?: number; seed?: number; test?: 'signed-rank' | 'bootstrap'; scenario: string[]; out?: string }) => {
      const { abCommand, parseRounds } = await import('./commands/ab.js');
      const { rounds, ...rest } = o;
      done(await abCommand({ paths, ...rest, ...(rounds !== undefined && { rounds: parseRounds(rounds) }) }, io));
    });

  const baseline = program.command('baseline').description('manage stored baselines');
  withScenarioRunOptions(baseline.command('update'))
    .description('record new baselines (runs the scenarios, or takes them from a report)')
    .option('--from <report>', 'take the samples from this report.json instead of running')
    .option('--reason <text>', 'why (kept in provenance and shown in review)')
    .option('--force', 'also store scenarios whose samples are in doubt (cut stdout, a process outside the cgroup, a full capture map)')
    .action(async (paths: string[], o: { from?: string; reason?: string; baselines: string; machine?: string; repetitions?: number; warmup?: number; scenario: string[]; force?: boolean }) => {
      const { baselineUpdateCommand } = await import('./commands/baseline-update.js');
      done(await baselineUpdateCommand({ paths, ...o }, io));
    });
}

/** stderr for kdelta's own messages. In Actions a message may quote a file's text: no line of it may start a workflow command. */
function errWriter(io: Io): (text: string) => void {
  return (text) => io.stderr.write(io.env['GITHUB_ACTIONS'] === 'true' ? inertLines(text) : text);
}

/** The one place an error becomes an exit code and a message. */
function exitCodeOfError(error: unknown, io: Io, debug: boolean): number {
  const err = errWriter(io);
  if (error instanceof CommanderError) {
    // --help and --version end here with code 0; usage errors are bad input.
    return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
  }
  if (error instanceof KdeltaError) {
    err(`kdelta: ${error.where ? `${error.where}: ` : ''}${error.message}\n`);
    if (error.fix) err(`  fix: ${error.fix}\n`);
    return error.exitCode;
  }
  if (io.signal.aborted) {
    err(`kdelta: interrupted\n`);
    return interruptedExitCode(io.signal);
  }
  // Anything else is a bug in kdelta, not in the user's input.
  err(`kdelta: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
  err(debug && error instanceof Error && error.stack ? error.stack + '\n' : '  this is a bug in kdelta; rerun with --debug for a stack trace and report it\n');
  return EXIT.internal;
}

/**
 * Runs kdelta with the given world and returns its exit code. Each command's module is
 * imported when that command runs, so `--help` or `validate` never loads the collectors.
 */
export async function main(io: Io): Promise<number> {
  let exitCode: number = EXIT.ok;
  const debug = io.argv.includes('--debug');
  const program = new Command()
    .name('kdelta')
    .description('Benchmark regression harness for CI that sees the kernel.')
    .version(VERSION_TEXT)
    .option('--debug', 'print stack traces of internal errors')
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: errWriter(io) })
    .showHelpAfterError('(run with --help for usage)');
  defineCommands(program, io, (code) => (exitCode = code));
  program.addOption(new Option('--no-color', 'no colour (NO_COLOR is honoured too)').hideHelp());

  try {
    await program.parseAsync(io.argv.filter((a) => a !== '--debug' && a !== '--no-color'), { from: 'user' });
    return exitCode;
  } catch (error) {
    return exitCodeOfError(error, io, debug);
  }
}
