#!/usr/bin/env node
// Overhead of kdelta's eBPF capture against its peers (`npm run bench:overhead`, as root, after
// `npm run build`). Prints one table on stdout, progress on stderr.
//
// - a null-syscall loop (getppid, raw syscall, pinned to one CPU: on our VMs the same
//   tracepoint costs twice as much on CPU 0 as on CPU 1) untraced, under kdelta's syscall
//   capture (full, and sampled 1 in N), under the straightforward bpftrace program (start time
//   in a tid-keyed map, a histogram per syscall, delete on exit), under `strace -c -f` and
//   `perf trace -s`: ns per call, median of the runs, and the ratio to untraced;
// - hackbench untraced and under the full capture (syscalls + ready delay + IRQ);
// - kdelta's own time per repetition beyond the workload: collector start and stop amortized
//   over the repetitions, plus the per-repetition snapshots and analysis.
//
// Options (env): BENCH_CPU (default 1), BENCH_CALLS (1000000), BENCH_RUNS (5), BENCH_SAMPLE (8),
// BENCH_REPS (20, repetitions for kdelta's own time).
import { execa } from 'execa';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
if (!existsSync(join(dist, 'collect', 'ebpf', 'session.js'))) {
  process.stderr.write('bench-overhead: run `npm run build` first (dist/collect/ebpf/session.js is missing)\n');
  process.exitCode = 2;
} else {
  await main();
}

async function main() {
  const { createEbpfSession } = await import(join(dist, 'collect', 'ebpf', 'session.js'));
  const { probeMachine, ensureTracefs } = await import(join(dist, 'environment', 'probe.js'));
  const cgroupModule = await import(join(dist, 'run', 'cgroup.js'));
  const { removeCgroup } = cgroupModule;
  const created = [];
  const createCgroup = async (path) => {
    const cg = await cgroupModule.createCgroup(path);
    created.push(path);
    return cg;
  };

  const cpu = Number(process.env.BENCH_CPU ?? 1);
  const calls = Number(process.env.BENCH_CALLS ?? 1_000_000);
  const runs = Number(process.env.BENCH_RUNS ?? 5);
  const sample = Number(process.env.BENCH_SAMPLE ?? 8);
  const reps = Number(process.env.BENCH_REPS ?? 20);
  const load = join(root, 'helpers', 'bin', 'kdelta-load');
  const log = (s) => process.stderr.write(`bench-overhead: ${s}\n`);

  let facts = await probeMachine();
  if (!facts.isRoot) throw new Error('run as root: the capture and the peers need it');
  if (!facts.tracefs) {
    await ensureTracefs(facts);
    facts = await probeMachine();
  }
  if (!existsSync(load)) await execa('node', [join(root, 'scripts', 'build-helpers.mjs')], { stdio: 'inherit' });
  const parent = join(facts.cgroup2, `kdelta-bench-${process.pid}`);
  const rows = [];
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const inCgroup = (cg, argv) => ['sh', ['-c', 'echo 0 > "$1/cgroup.procs" && shift && exec "$@"', 'kdelta', cg, ...argv]];
  const loopArgv = (n) => [load, 'syscall-loop', '--count', String(n), '--cpu', String(cpu)];
  const nsPerCall = (stdout) => {
    const m = stdout.split('\n').map((l) => { try { return JSON.parse(l); } catch { return null; } }).find((o) => o?.metric === 'syscall_ns');
    if (!m) throw new Error(`no syscall_ns in ${stdout}`);
    return m.value;
  };
  /** Runs the loop `runs` times through `wrap` (argv -> [file, args]) and returns the median ns/call. */
  const loopMedian = async (wrap, n = calls) => {
    const xs = [];
    for (let i = 0; i < runs; i++) {
      const [file, args] = wrap(loopArgv(n));
      const r = await execa(file, args, { all: true });
      xs.push(nsPerCall(r.stdout));
    }
    return { median: median(xs), min: Math.min(...xs) };
  };

  try {
    // 1-4. untraced, kdelta full, kdelta sampled, the straightforward program. Other work on
    // the machine comes in bursts, so the conditions take turns: each round attaches one
    // capture at a time (attached programs slow every syscall on the machine), runs the loop
    // once under it, and detaches it.
    const conds = [
      { key: 'untraced', what: `getppid loop, untraced (CPU ${cpu})` },
      { key: 'full', what: 'kdelta syscall capture, every call timed', sample: 1 },
      { key: 'sampled', what: `kdelta syscall capture, sample: ${sample}`, sample },
      { key: 'ref', what: 'straightforward bpftrace (tid map, hist, delete)' },
    ];
    const times = Object.fromEntries(conds.map((c) => [c.key, []]));
    const runLoop = async (cg) => {
      const [file, args] = inCgroup(cg, loopArgv(calls));
      return nsPerCall((await execa(file, args)).stdout);
    };
    for (let round = 0; round < runs; round++) {
      log(`loop round ${round + 1} of ${runs}`);
      for (const c of conds) {
        const cg = await createCgroup(join(parent, `${c.key}-${round}`));
        if (c.key === 'untraced') {
          times[c.key].push(await runLoop(cg.path));
        } else if (c.key === 'ref') {
          const refProg = `tracepoint:raw_syscalls:sys_enter /cgroup == ${cg.id}/ { @start[tid] = nsecs; }
tracepoint:raw_syscalls:sys_exit /cgroup == ${cg.id} && @start[tid]/ { @lat[args->id] = hist(nsecs - @start[tid]); delete(@start[tid]); }
END { clear(@start); clear(@lat); }`;
          const bt = execa('bpftrace', ['-f', 'json', '-B', 'line', '-e', refProg], { reject: false, buffer: false });
          await new Promise((resolve, reject) => {
            bt.stdout.on('data', (d) => String(d).includes('attached_probes') && setTimeout(resolve, 500));
            void bt.then(() => reject(new Error('reference bpftrace exited early')));
          });
          times[c.key].push(await runLoop(cg.path));
          bt.kill('SIGINT');
          await bt;
        } else {
          const rep = { index: 0, warmup: false, cgroup: cg };
          const session = createEbpfSession({ readyDelay: false, irq: false, syscalls: { include: [], exclude: [], excludeBlocking: false, sample: c.sample } }, facts);
          try {
            await session.start([rep]);
            await session.beforeRepetition(rep);
            times[c.key].push(await runLoop(cg.path));
            const cap = await session.afterRepetition(rep, { pid: null, threads: [] });
            const count = cap.metrics.find((m) => m.name === 'syscall.getppid.count')?.value;
            if (count === undefined || Math.abs(count - calls) > calls * 0.005) log(`warning: counted ${count} getppid calls of ${calls}`);
            if (cap.lost.length) log(`lost: ${cap.lost.join('; ')}`);
          } finally {
            await session.stop();
          }
        }
      }
    }
    for (const c of conds) rows.push({ what: c.what, ns: median(times[c.key]), min: Math.min(...times[c.key]) });

    // 5-6. strace and perf trace: far slower, so fewer calls
    const few = Math.max(10_000, Math.floor(calls / 50));
    log('strace -c -f');
    const st = await loopMedian((a) => ['strace', ['-c', '-f', '-o', '/dev/null', ...a]], few);
    rows.push({ what: 'strace -c -f', ns: st.median, min: st.min });
    log('perf trace -s');
    try {
      const pt = await loopMedian((a) => ['perf', ['trace', '-s', '-o', '/dev/null', ...a]], few);
      rows.push({ what: 'perf trace -s', ns: pt.median, min: pt.min });
    } catch (err) {
      rows.push({ what: `perf trace -s (failed: ${String(err.shortMessage ?? err.message).split('\n')[0]})`, ns: NaN, min: NaN });
    }

    // 7. hackbench, untraced and under the full capture
    const hbArgs = ['-p', '-g', '4', '-l', '2000'];
    const hackbench = async (cg) => {
      const t0 = process.hrtime.bigint();
      const [file, args] = inCgroup(cg, ['hackbench', ...hbArgs]);
      await execa(file, args);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    log('hackbench untraced');
    const cgHb = await createCgroup(join(parent, 'hb-untraced'));
    const hbU = [];
    for (let i = 0; i < runs; i++) hbU.push(await hackbench(cgHb.path));
    log('hackbench under the full capture');
    const hbRefs = [];
    for (let i = 0; i < runs; i++) hbRefs.push({ index: i, warmup: false, cgroup: await createCgroup(join(parent, `hb-${i}`)) });
    const full = createEbpfSession({ readyDelay: true, irq: true, syscalls: { include: [], exclude: [], excludeBlocking: true, sample: 1 } }, facts);
    const hbT = [];
    let hbLost = [];
    try {
      await full.start(hbRefs);
      for (const rep of hbRefs) {
        await full.beforeRepetition(rep);
        hbT.push(await hackbench(rep.cgroup.path));
        const cap = await full.afterRepetition(rep, { pid: null, threads: [] });
        hbLost = hbLost.concat(cap.lost);
      }
    } finally {
      await full.stop();
    }
    if (hbLost.length) log(`hackbench capture lost: ${[...new Set(hbLost)].join('; ')}`);

    // 8. kdelta's own time per repetition: a short workload, many repetitions, one session
    log(`kdelta's own time over ${reps} repetitions`);
    const ownRefs = [];
    for (let i = 0; i < reps; i++) ownRefs.push({ index: i, warmup: false, cgroup: await createCgroup(join(parent, `own-${i}`)) });
    const own = createEbpfSession({ readyDelay: true, irq: true, syscalls: { include: [], exclude: [], excludeBlocking: true, sample: 1 } }, facts);
    const t = (a) => Number(process.hrtime.bigint() - a) / 1e6;
    let t0 = process.hrtime.bigint();
    await own.start(ownRefs);
    const startMs = t(t0);
    const perRep = [];
    try {
      for (const rep of ownRefs) {
        t0 = process.hrtime.bigint();
        await own.beforeRepetition(rep);
        let ms = t(t0);
        const [file, args] = inCgroup(rep.cgroup.path, loopArgv(10_000));
        await execa(file, args);
        t0 = process.hrtime.bigint();
        await own.afterRepetition(rep, { pid: null, threads: [] });
        ms += t(t0);
        perRep.push(ms);
      }
    } finally {
      t0 = process.hrtime.bigint();
      await own.stop();
    }
    const stopMs = t(t0);

    // The table
    const base = rows[0].ns;
    const out = [];
    out.push(`| null-syscall loop (getppid, pinned to CPU ${cpu}, median of ${runs}) | ns/call | min | ratio vs untraced |`);
    out.push('| --- | ---: | ---: | ---: |');
    for (const r of rows) out.push(`| ${r.what} | ${fmt(r.ns)} | ${fmt(r.min)} | ${Number.isFinite(r.ns) ? (r.ns / base).toFixed(2) + 'x' : 'n/a'} |`);
    const refRow = rows.find((r) => r.what.startsWith('straightforward'));
    const over = (r) => r.ns - base;
    // rows: 0 untraced, 1 full, 2 sampled, 3 straightforward
    out.push('');
    out.push(`overhead above untraced: straightforward ${fmt(over(refRow))} ns; kdelta full ${fmt(over(rows[1]))} ns (${pct(over(rows[1]) / over(refRow))} of it); kdelta sample ${sample} ${fmt(over(rows[2]))} ns (${pct(over(rows[2]) / over(refRow))} of it)`);
    out.push('');
    out.push(`| hackbench ${hbArgs.join(' ')} (median of ${runs}) | ms | ratio |`);
    out.push('| --- | ---: | ---: |');
    out.push(`| untraced | ${fmt(median(hbU))} | 1.00x |`);
    out.push(`| kdelta full capture (syscalls, ready delay, IRQ) | ${fmt(median(hbT))} | ${(median(hbT) / median(hbU)).toFixed(2)}x |`);
    out.push('');
    const amort = (startMs + stopMs) / reps;
    out.push(`| kdelta's own time, ${reps} repetitions in one session | ms |`);
    out.push('| --- | ---: |');
    out.push(`| collector start (compile + attach), once | ${fmt(startMs)} |`);
    out.push(`| collector stop, once | ${fmt(stopMs)} |`);
    out.push(`| start + stop per repetition (amortized) | ${fmt(amort)} |`);
    out.push(`| snapshots + analysis per repetition (median) | ${fmt(median(perRep))} |`);
    out.push(`| total per repetition beyond the workload | ${fmt(amort + median(perRep))} |`);
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    for (const p of [...created.reverse(), parent]) await removeCgroup(p).catch((e) => log(`could not remove ${p}: ${e.message}`));
  }
}

function fmt(x) {
  if (!Number.isFinite(x)) return 'n/a';
  return x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1);
}
function pct(x) {
  return `${Math.round(x * 100)}%`;
}
