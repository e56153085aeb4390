// A/B benchmark (npm run bench:ab): does `kdelta ab` find a 3% slowdown that a stored
// baseline misses, on a machine whose background load comes and goes?
//
// The workload is a fixed amount of CPU work (kdelta-load cpu-work); the head side does 3%
// more. A background `stress-ng --cpu 1` is switched on and off at random (exponential
// on/off periods, mean 1.5 s) for the whole benchmark. Each trial measures, in this order:
//   run: a baseline recorded with 10 repetitions, then `kdelta run` of the head (10
//        repetitions) and of an A/A copy against it;
//   ab:  `kdelta ab` of base vs head and of base vs an A/A copy, 10 rounds each.
// Gate: workload.wall_time, tolerance 1%, alpha 0.05. Collectors off: the statistics are
// what is measured here. BENCH_TRIALS (default 5) sets the number of trials.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const cli = join(root, 'bin', 'kdelta.js');
const load = join(root, 'helpers', 'bin', 'kdelta-load');
const trials = Number(process.env.BENCH_TRIALS ?? 5);
const work = Number(process.env.BENCH_WORK ?? 60_000);
const scratch = mkdtempSync(join(tmpdir(), 'kdelta-bench-ab-'));

const scenario = `name: cpu-work
description: fixed CPU work; the amount is read from the file "count" next to this file
workload:
  command: [sh, -c, 'exec "$0" cpu-work --count "$(cat count)"', ${JSON.stringify(load)}]
  cwd: .
  timeout: 60s
repetitions: 10
warmup: 1
collect:
  proc: false
  ebpf: false
gate:
  alpha: 0.05
  metrics:
    workload.wall_time: { tolerance: 1% }
`;

function side(name, count) {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cpu.yaml'), scenario);
  writeFileSync(join(dir, 'count'), String(count));
  return dir;
}

function kdelta(args, cwd) {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`kdelta ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return r.status;
}

function verdictOf(out) {
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
  const m = report.scenarios[0].metrics.find((x) => x.name === 'workload.wall_time');
  return m.verdict;
}

// Background load switched at random: the noise a shared CI runner has.
let stress = null;
let stopped = false;
function toggle() {
  if (stopped) return;
  if (stress) {
    stress.kill('SIGTERM');
    stress = null;
  } else stress = spawn('stress-ng', ['--cpu', '1', '--quiet'], { stdio: 'ignore' });
  setTimeout(toggle, -1500 * Math.log(1 - Math.random()));
}

const tally = { run: { found: 0, aa: 0, mde: [] }, ab: { found: 0, aa: 0, mde: [] } };
const flagged = (v) => v.status === 'regression' || v.status === 'improvement';

async function trial(i) {
  const base = side(`t${i}-base`, work);
  const head = side(`t${i}-head`, Math.round(work * 1.03));
  const aa = side(`t${i}-aa`, work);
  const baselines = join(scratch, `t${i}-baselines`);
  kdelta(['baseline', 'update', 'cpu.yaml', '--baselines', baselines, '--machine', 'bench', '--reason', 'bench'], base);
  for (const [dir, key] of [[head, 'found'], [aa, 'aa']]) {
    const out = join(scratch, `t${i}-run-${key}`);
    kdelta(['run', 'cpu.yaml', '--baselines', baselines, '--machine', 'bench', '--out', out], dir);
    const v = verdictOf(out);
    if (key === 'found' ? v.status === 'regression' : flagged(v)) tally.run[key]++;
    if (key === 'found') tally.run.mde.push(v.mde ?? Infinity);
  }
  for (const [dir, key] of [[head, 'found'], [aa, 'aa']]) {
    const out = join(scratch, `t${i}-ab-${key}`);
    kdelta(['ab', 'cpu.yaml', '--base', base, '--head', dir, '--rounds', '10:10', '--out', out], scratch);
    const v = verdictOf(out);
    if (key === 'found' ? v.status === 'regression' : flagged(v)) tally.ab[key]++;
    if (key === 'found') tally.ab.mde.push(v.mde ?? Infinity);
  }
  process.stderr.write(`bench-ab: trial ${i + 1}/${trials} done\n`);
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const pct = (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : 'inf');

try {
  toggle();
  for (let i = 0; i < trials; i++) await trial(i);
} finally {
  stopped = true;
  if (stress) stress.kill('SIGTERM');
  rmSync(scratch, { recursive: true, force: true });
}
console.log(
  [
    `cpu-work --count ${work} (head: +3% work), background stress-ng --cpu 1 toggled at random (mean 1.5 s on / off), ${trials} trials; tolerance 1%, alpha 0.05.`,
    '',
    '| mode | repetitions or rounds | found the 3% regression | A/A flagged | median MDE reported |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| stored baseline (kdelta run) | 10 vs 10 | ${tally.run.found}/${trials} | ${tally.run.aa}/${trials} | ${pct(median(tally.run.mde))} |`,
    `| interleaved (kdelta ab) | 10 rounds | ${tally.ab.found}/${trials} | ${tally.ab.aa}/${trials} | ${pct(median(tally.ab.mde))} |`,
  ].join('\n'),
);
