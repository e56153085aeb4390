// The child processes of the store tests: real writers in their own Node processes, against
// dist/ (run `npm run build` first), so a SIGKILL kills a real writer mid-transaction.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../cli/support.js';

const WRITER = `
import { openStore } from ${JSON.stringify(join(repoRoot, 'dist/history/open.js'))};
const [location, runId, mode] = process.argv.slice(2);
const points = [];
for (const scenario of ['s1', 's2', 's3']) for (let m = 0; m < 50; m++) points.push({ scenario, metric: 'metric.' + m, unit: 'ns', better: 'lower', gated: m === 0, tolerance: m === 0 ? 0.05 : null, n: 3, median: 2, mean: 2, min: 1, max: 3, stddev: 1, samples: m === 0 ? [1, 2, 3] : null, verdict: null, verdictJson: null });
const run = { runId, startedAt: new Date().toISOString(), commit: null, commitTime: new Date().toISOString(), branch: null, machine: 'm', fingerprint: '{}', kdeltaVersion: 't', status: 'pass', reportPath: null, points };
const store = await openStore(location, process.cwd());
const outcome = await store.addRun(run, { afterScenario: (s) => {
  if (mode !== 'pause' || s !== 's1') return;
  process.stdout.write('mid\\n');
  setInterval(() => {}, 1000);
  // SQLite writes synchronously: block right here, inside the open transaction.
  if (${JSON.stringify('sqlite')} === store.kind) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  return new Promise(() => {});
} });
process.stdout.write(outcome + '\\n');
await store.close();
`;

export async function writerScript(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kdelta-writer-'));
  const path = join(dir, 'writer.mjs');
  await writeFile(path, WRITER);
  return path;
}

/** Runs a writer to its end; resolves with its stdout. */
export function runWriter(script: string, location: string, runId: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, location, runId, 'normal'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolvePromise(out) : reject(new Error(`writer exited ${code}: ${err}`))));
  });
}

/** Starts a writer, waits until it is inside its transaction, and SIGKILLs it there. */
export function killWriterMidTransaction(script: string, location: string, runId: string): Promise<NodeJS.Signals | null> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, location, runId, 'pause'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('mid')) child.kill('SIGKILL');
    });
    child.on('close', (code, signal) => (signal === 'SIGKILL' ? resolvePromise(signal) : reject(new Error(`writer was not killed mid-transaction (exit ${code}): ${err}`))));
  });
}
