// Statistics benchmark (npm run bench:stats): simulated A/A and A/B gate runs through the real
// comparison engine (dist/compare), printed as a Markdown table. Fixed seeds: the same build
// prints the same table. See notes/statistics.md, "How we know the statistics work".
//
// Noise: log-normal at 1%, 3% and 10% CoV; 2% of samples multiplied by 1.5 (a stray interrupt,
// a cold cache). A run has 1, 10 or 50 gated metrics (the family Holm adjusts over); in A/B runs
// one of them is shifted. Test: Mann-Whitney U, alpha 0.05, Holm.
//
// Tolerances: the false-alarm rate is measured with tolerance 0 (the worst case: any
// significant slowdown counts). Power for a +5% shift is reported at tolerance 0 and 2%, for
// +10% at 2% and 5%. A shift equal to the tolerance can only be called when the estimate
// overshoots it (about half the time), so +5% at tolerance 5% says nothing about the test;
// 2% is a realistic tolerance below both shifts.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const root = new URL('../', import.meta.url);
const engine = new URL('dist/compare/simulate.js', root);
if (!existsSync(engine)) {
  console.error('bench-stats: dist/ is missing; building with tsc -p tsconfig.build.json');
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  } catch {
    // tsc exits non-zero on a type error anywhere but still emits; only a missing file is fatal.
  }
  if (!existsSync(engine)) {
    console.error('bench-stats: build failed, dist/compare/simulate.js still missing');
    process.exitCode = 1;
  }
}

if (existsSync(engine) && process.env.BENCH_ONLY === 'paired') await pairedRows(Number(process.env.BENCH_TRIALS ?? 1000));
else if (existsSync(engine)) {
  const { simulateTrials } = await import(engine.href);
  const trials = Number(process.env.BENCH_TRIALS ?? 1000);
  const alpha = 0.05;
  const base = { alpha, correction: 'holm', test: 'mann-whitney', outlierRate: 0.02, outlierFactor: 1.5, trials };
  const columns = [
    { key: 'fwer', shift: 0, tolerance: 0 },
    { key: 'aa5', shift: 0, tolerance: 0.05 },
    { key: 'p5t0', shift: 0.05, tolerance: 0 },
    { key: 'p5t2', shift: 0.05, tolerance: 0.02 },
    { key: 'p10t2', shift: 0.1, tolerance: 0.02 },
    { key: 'p10t5', shift: 0.1, tolerance: 0.05 },
  ];
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  const started = performance.now();
  const lines = [
    `Mann-Whitney U, alpha ${alpha}, holm; log-normal noise, 2% outliers x1.5; ${trials} trials per cell; seeds fixed.`,
    '',
    '| CoV | n | gated metrics | false-alarm runs (A/A, tol 0) | false-alarm runs (A/A, tol 5%) | inconclusive verdicts (A/A, tol 5%) | power +5% (tol 0) | power +5% (tol 2%) | power +10% (tol 2%) | power +10% (tol 5%) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  let worstFwer = 0;
  const target = [];
  let row = 0;
  for (const cv of [0.01, 0.03, 0.1]) {
    for (const n of [5, 10, 20]) {
      for (const metrics of [1, 10, 50]) {
        row++;
        const cells = {};
        let inconclusive = 0;
        columns.forEach((c, i) => {
          const r = simulateTrials({ ...base, cv, n, metrics, shift: c.shift, tolerance: c.tolerance, seed: row * 1000 + i });
          if (c.key === 'fwer') cells.fwer = r.falseAlarmRuns / r.trials;
          else if (c.key === 'aa5') {
            cells.aa5 = r.falseAlarmRuns / r.trials;
            inconclusive = r.inconclusiveShare;
          } else cells[c.key] = r.detectedRuns / r.trials;
        });
        worstFwer = Math.max(worstFwer, cells.fwer, cells.aa5);
        if (cv === 0.03 && n === 10) target.push({ metrics, power: cells.p10t5, power2: cells.p10t2 });
        const fwerText = `${pct(cells.fwer)}${cells.fwer > alpha ? ' (above alpha)' : ''}`;
        lines.push(
          `| ${pct(cv)} | ${n} | ${metrics} | ${fwerText} | ${pct(cells.aa5)} | ${pct(inconclusive)} | ${pct(cells.p5t0)} | ${pct(cells.p5t2)} | ${pct(cells.p10t2)} | ${pct(cells.p10t5)} |`,
        );
      }
    }
  }
  lines.push('');
  lines.push(`Highest false-alarm rate: ${pct(worstFwer)} (target: at most ${pct(alpha)} in every row) -> ${worstFwer <= alpha ? 'met' : 'MISSED'}.`);
  for (const t of target) {
    lines.push(
      `Power for +10% at 3% CoV, n = 10, ${t.metrics} gated: ${pct(t.power)} at tolerance 5%, ${pct(t.power2)} at 2% (target 90%) -> ${Math.min(t.power, t.power2) >= 0.9 ? 'met' : 'MISSED'}.`,
    );
  }
  lines.push(
    '',
    'Reading the table: false alarms count regressions only (two-sided tests, so about alpha/2 is expected).',
    'n = 5 with 10 or 50 gated metrics is inconclusive by construction: the smallest two-sided p of 5 vs 5 is',
    '2/252 = 0.0079, times 10 under Holm is above alpha. With 50 gated metrics Holm asks 10 vs 10 for p < 0.001,',
    'i.e. at most 8 of the 100 baseline/current pairs out of order; one 1.5x outlier among the 10 baseline samples',
    '(18% of runs at a 2% outlier rate) puts 10 pairs out of order, which caps power near 82%. Without outliers the',
    'same cell reaches ~98%, and 12 repetitions reach ~97% with them.',
    `(${((performance.now() - started) / 1000).toFixed(1)} s)`,
  );
  console.log(lines.join('\n'));
  await pairedRows(trials);
}

// The paired test with the rounds loop (kdelta ab): rounds 5..30, a look after every round,
// signed-rank + the sequential design + Holm. Per-repetition noise 2% CoV; "drift": the
// machine slows by 0.2% every repetition (12% over 30 rounds); "bursty": background load
// that starts with probability 0.1 per repetition, lasts 1-4 repetitions and adds 10%.
// False alarms: any regression or improvement in an A/A run, at tolerance 0 (the loop then
// never stops early for equivalence: the worst case). Power: tolerance 1%.
// BENCH_ONLY=paired prints only these rows.
async function pairedRows(trials) {
  const { simulatePairedTrials } = await import(new URL('dist/compare/paired/simulate.js', root).href);
  const alpha = 0.05;
  const started = performance.now();
  const pct = (x) => `${(100 * x).toFixed(1)}%`;
  const conditions = [
    { name: 'plain', drift: 0, burstRate: 0, burstSize: 0 },
    { name: 'slow drift', drift: 0.002, burstRate: 0, burstSize: 0 },
    { name: 'bursty', drift: 0, burstRate: 0.1, burstSize: 0.1 },
    { name: 'drift + bursty', drift: 0.002, burstRate: 0.1, burstSize: 0.1 },
  ];
  const lines = [
    '',
    `Paired signed-rank, rounds 5-30 with a look after every round, alpha ${alpha}, holm; 2% CoV per repetition; ${trials} trials per cell.`,
    '',
    '| noise | gated metrics | false-alarm runs (A/A, tol 0) | power +2% (tol 1%) | power +3% | power +5% | mean rounds at +3% | median MDE at +3% |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  let worst = 0;
  let seed = 90_000;
  for (const c of conditions) {
    for (const metrics of [1, 10]) {
      const spec = { metrics, cv: 0.02, alpha, rounds: { min: 5, max: 30 }, drift: c.drift, burstRate: c.burstRate, burstSize: c.burstSize, trials };
      const aa = simulatePairedTrials({ ...spec, shift: 0, tolerance: 0, seed: seed++ });
      worst = Math.max(worst, aa.falseAlarmRuns / trials);
      // Power is measured with the shifted metric alone: with 10 metrics the other nine only
      // lengthen the loop (they must all be decided) and cost minutes of simulation.
      if (metrics > 1) {
        lines.push(`| ${c.name} | ${metrics} | ${pct(aa.falseAlarmRuns / trials)}${aa.falseAlarmRuns / trials > alpha ? ' (above alpha)' : ''} | | | | | |`);
        continue;
      }
      const power = [0.02, 0.03, 0.05].map((shift) => simulatePairedTrials({ ...spec, shift, tolerance: 0.01, seed: seed++ }));
      const p3 = power[1];
      lines.push(
        `| ${c.name} | ${metrics} | ${pct(aa.falseAlarmRuns / trials)}${aa.falseAlarmRuns / trials > alpha ? ' (above alpha)' : ''} | ${power.map((r) => pct(r.detectedRuns / trials)).join(' | ')} | ${p3.meanRounds.toFixed(1)} | ${pct(p3.medianMde)} |`,
      );
    }
  }
  lines.push('', `Highest paired false-alarm rate: ${pct(worst)} (target: at most ${pct(alpha)}) -> ${worst <= alpha ? 'met' : 'MISSED'}.`);
  lines.push(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  console.log(lines.join('\n'));
}
