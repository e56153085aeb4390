import { styleText } from 'node:util';
import type { Io } from '../io.js';
import { useColor } from '../io.js';
import { groupEndCommand, groupStartCommand, inertLine, inertText } from '../workflow-commands.js';

/** Where the runner tells a person what is happening. Everything here goes to stderr. */
export interface Progress {
  scenarioStart(name: string, total: number, warmup: number): void;
  repetitionDone(name: string, index: number, warmup: boolean, wallTimeNs: number): void;
  scenarioEnd(name: string, outcome: string): void;
  info(message: string): void;
  warn(message: string): void;
  /** Stops timers; safe to call twice. */
  close(): void;
}

export interface ProgressOptions {
  write: (text: string) => void;
  isTTY: boolean;
  color: boolean;
  /** In GitHub Actions each scenario's lines are folded into a `::group::`. */
  githubActions: boolean;
  /** Off a TTY, a line at least this often on long repetitions, so CI logs show life. */
  heartbeatMs?: number;
  now?: () => number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * On a TTY: one live line per scenario, redrawn in place. Off a TTY (CI, pipes): whole
 * lines only, written as they happen (irqstat's batch mode could not do this and its users
 * had to patch it), plus a heartbeat during long repetitions.
 */
export function createProgress(opts: ProgressOptions): Progress {
  const now = opts.now ?? Date.now;
  // The caller decided on colour (useColor: stderr a TTY, NO_COLOR, FORCE_COLOR); styleText's own
  // check looks at stdout and at CI, and would silently drop colour on a CI terminal.
  const paint = (format: Parameters<typeof styleText>[0], text: string) => (opts.color ? styleText(format, text, { validateStream: false }) : text);
  let current: { name: string; total: number; warmup: number; done: number; startedMs: number } | null = null;
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  let liveLine = false;

  const clearLive = () => {
    if (liveLine) opts.write('\r\x1b[2K');
    liveLine = false;
  };
  // In Actions every line that is not kdelta's own command is made inert as a whole, and the
  // untrusted parts (names, messages) are made inert where they are placed, on a terminal too.
  const line = (text: string) => {
    clearLive();
    opts.write((opts.githubActions ? inertLine(text) : text) + '\n');
  };
  const command = (text: string) => {
    clearLive();
    opts.write(text + '\n');
  };
  const drawLive = () => {
    if (!current || !opts.isTTY) return;
    const counted = Math.max(0, current.done - current.warmup);
    const phase = current.done < current.warmup ? `warm-up ${current.done + 1}/${current.warmup}` : `repetition ${Math.min(counted + 1, current.total)}/${current.total}`;
    opts.write(`\r\x1b[2K${paint('cyan', inertText(current.name))}  ${phase}  ${seconds(now() - current.startedMs)}`);
    liveLine = true;
  };
  const stopHeartbeat = () => {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
  };

  return {
    scenarioStart(rawName, total, warmup) {
      const name = inertText(rawName);
      current = { name: rawName, total, warmup, done: 0, startedMs: now() };
      if (opts.githubActions) command(groupStartCommand(`kdelta ${rawName}`));
      if (opts.isTTY) drawLive();
      else line(`kdelta: ${name}: ${warmup} warm-up + ${total} repetitions`);
      stopHeartbeat();
      heartbeat = setInterval(() => {
        if (!current) return;
        if (opts.isTTY) drawLive();
        else line(`kdelta: ${inertText(current.name)}: still running (${seconds(now() - current.startedMs)} elapsed)`);
      }, opts.isTTY ? 1000 : (opts.heartbeatMs ?? 30_000));
      heartbeat.unref();
    },
    repetitionDone(rawName, index, warmup, wallTimeNs) {
      if (current) current.done++;
      if (opts.isTTY) return drawLive();
      const label = warmup ? `warm-up ${index + 1}/${current?.warmup ?? '?'}` : `repetition ${index + 1 - (current?.warmup ?? 0)}/${current?.total ?? '?'}`;
      line(`kdelta: ${inertText(rawName)}: ${label} done in ${seconds(wallTimeNs / 1e6)}`);
    },
    scenarioEnd(rawName, outcome) {
      stopHeartbeat();
      const elapsed = current ? seconds(now() - current.startedMs) : '';
      current = null;
      line(`kdelta: ${inertText(rawName)}: ${inertText(outcome)} (${elapsed})`);
      if (opts.githubActions) command(groupEndCommand());
    },
    info(message) {
      line(`kdelta: ${inertText(message)}`);
    },
    warn(message) {
      line(paint('yellow', `kdelta: warning: ${inertText(message)}`));
    },
    close() {
      stopHeartbeat();
      clearLive();
    },
  };
}

/** The progress of a command run in this world: on stderr, live on a terminal, folded in GitHub Actions. */
export function progressFor(io: Io): Progress {
  return createProgress({
    write: (text) => io.stderr.write(text),
    isTTY: io.isTTY,
    color: useColor(io),
    githubActions: io.env['GITHUB_ACTIONS'] === 'true',
  });
}
