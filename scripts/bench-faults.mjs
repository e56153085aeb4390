#!/usr/bin/env node
// The long form of the reliability probes: SIGKILL of kdelta at random moments of a real run
// (TRIALS, default 30), each followed by a second run, then a look for anything left behind
// (processes of the workload, kdelta cgroups, BPF programs, temporary report files), and the
// input probes that used to hang (FIFOs, --out under /proc). Prints one table row per probe.
// Needs root, cgroup v2 and a build (npm run build).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const cli = join(root, 'bin/kdelta.js');
const trials = Number(process.env.TRIALS ?? 30);
const work = mkdtempSync(join(tmpdir(), 'kdelta-faults-'));
const marker = `kdelta-fault-${process.pid}`;
const scenario = join(work, 'long.yaml');
writeFileSync(
  scenario,
  // A workload that really runs under dash (`exec -a` is bash only: it failed at once, the run
  // ended before the kill, and the wait for its exit never returned), with a forked child, and
  // the marker as $0 so its shell is found by argv as well as by environment.
  `name: fault-probe\nworkload:\n  command: [sh, -c, "sleep 0.4 & sleep 0.4; wait", ${marker}]\nrepetitions: 6\nwarmup: 1\ncollect:\n  proc: true\n  ebpf: true\n`,
);
const next = join(work, 'next.yaml');
writeFileSync(next, `name: next-run\nworkload:\n  builtin: { name: syscall-loop, count: 100 }\nrepetitions: 1\nwarmup: 0\ncollect:\n  proc: false\n  ebpf: false\n`);

const cgroups = () => readdirSync('/sys/fs/cgroup').filter((n) => n.startsWith('kdelta-'));
/**
 * Processes that inherited the trial's environment marker (the workload, bpftrace, the
 * loader): only these can hold a BPF program of the trial, since other runs on the machine
 * load programs of their own at the same time.
 */
function marked() {
  const found = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, 'latin1').includes(`KDELTA_FAULT_MARK=${marker}`)) found.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  // A workload may be given a clean environment: its argv carries the marker too.
  const byArgv = spawnSync('pgrep', ['-f', marker], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
  return [...new Set([...found, ...byArgv])];
}
function progsHeldBy(pids) {
  const ids = [];
  for (const pid of pids) {
    let fds = [];
    try {
      fds = readdirSync(`/proc/${pid}/fdinfo`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = /prog_id:\s*(\d+)/.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
        if (m) ids.push(Number(m[1]));
      } catch {
        // Closed meanwhile.
      }
    }
  }
  return ids;
}
const temps = (dir) => {
  try {
    return readdirSync(dir, { recursive: true }).filter((n) => String(n).endsWith('.tmp'));
  } catch {
    return [];
  }
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const rows = [];
const record = (probe, tried, handled, detail) => rows.push({ probe, tried, handled, detail });

async function killTrial(i) {
  const out = join(work, `out-${i}`);
  const child = spawn(process.execPath, [cli, 'run', scenario, '--out', out], {
    cwd: work,
    stdio: 'ignore',
    env: { ...process.env, KDELTA_FAULT_MARK: marker },
  });
  // Listened for from the start: a run that ends before the kill has already emitted 'exit'.
  const exited = new Promise((r) => child.once('exit', r));
  await sleep(200 + Math.random() * 2500);
  child.kill('SIGKILL');
  await exited;
  const before = child.signalCode === 'SIGKILL' ? [] : [`ended by itself (${child.exitCode}) before the kill`];
  const pinned = spawnSync('find', ['/sys/fs/bpf', '-name', '*kdelta*'], { encoding: 'utf8' }).stdout.trim();
  // The watchdogs have a second or two; then the next run must sweep the rest at once.
  await sleep(2000);
  const t0 = Date.now();
  const nextRun = spawnSync(process.execPath, [cli, 'run', next, '--out', join(work, `next-${i}`)], { cwd: work, stdio: 'ignore', timeout: 60_000, killSignal: 'SIGKILL' });
  nextMs.push(Date.now() - t0);
  const left = [...before];
  if (nextRun.status !== 0) left.push(`next run exit ${nextRun.status ?? nextRun.signal}`);
  const alive = marked();
  if (alive.length) left.push(`processes ${alive.join(',')}`);
  const held = progsHeldBy(alive);
  if (held.length) left.push(`bpf progs ${held.join(',')}`);
  const ours = cgroups().filter((n) => n.startsWith(`kdelta-${child.pid}-`));
  if (ours.length) left.push(`cgroups ${ours.join(',')}`);
  if (pinned) left.push(`pinned ${pinned}`);
  if (temps(out).length) left.push(`tmp ${temps(out).join(',')}`);
  return left;
}

let clean = 0;
const nextMs = [];
const leftovers = [];
for (let i = 0; i < trials; i++) {
  const left = await killTrial(i);
  if (left.length === 0) clean++;
  else leftovers.push(`trial ${i}: ${left.join('; ')}`);
}
const median = [...nextMs].sort((a, b) => a - b)[Math.floor(nextMs.length / 2)] ?? 0;
record('SIGKILL of kdelta run at a random moment', trials, clean, `${leftovers.slice(0, 3).join(' | ') || 'nothing left after the next run'}; next run median ${median} ms, max ${Math.max(0, ...nextMs)} ms`);

mkdirFifo(join(work, 'fifo.json'));
function mkdirFifo(p) {
  execFileSync('mkfifo', [p]);
}
const golden = join(root, 'test/fixtures/compare-golden/mixed');
function timed(args) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: 'utf8', timeout: 15_000, killSignal: 'SIGKILL' });
  return { status: r.status, ms: Date.now() - t0 };
}
for (const [probe, args] of [
  ['FIFO as the baseline of compare', ['compare', join(work, 'fifo.json'), join(golden, 'current.json'), '--out', join(work, 'c1')]],
  ['FIFO as the report of compare', ['compare', join(golden, 'base.json'), join(work, 'fifo.json'), '--out', join(work, 'c2')]],
  ['--out /proc/x', ['compare', join(golden, 'base.json'), join(golden, 'current.json'), '--out', '/proc/kdelta-x']],
  ['--out /sys/x', ['compare', join(golden, 'base.json'), join(golden, 'current.json'), '--out', '/sys/kdelta-x']],
]) {
  const r = timed(args);
  record(probe, 1, r.status === 2 ? 1 : 0, `exit ${r.status ?? 'killed'} after ${r.ms} ms`);
}

console.log('| probe | tried | handled | detail |');
console.log('| :-- | --: | --: | :-- |');
for (const r of rows) console.log(`| ${r.probe} | ${r.tried} | ${r.handled} | ${r.detail} |`);
const tried = rows.reduce((a, r) => a + r.tried, 0);
const handled = rows.reduce((a, r) => a + r.handled, 0);
console.log(`\n${handled} of ${tried} probes handled`);
