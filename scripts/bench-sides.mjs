#!/usr/bin/env node
// The cost of the capture's sides (`npm run bench:sides`, as root, after `npm run build`): the
// libbpf capture built from this tree against another loader binary (BENCH_BASE_LOADER, e.g. a
// build of the branch this one came from), interleaved in rounds, medians. Prints tables on
// stdout, progress on stderr.
//
// - null-syscall loop (raw getppid, BENCH_CALLS calls, pinned to BENCH_CPU), every call timed;
// - same-CPU pipe ping-pong (BENCH_PINGPONG round trips, pinned), ready delay.
// Conditions: untraced; the base loader; this loader with one side (no service); this loader
// with a service cgroup admitted on side 1 (the maps for two sides) while the load runs on the
// workload's side; the same with the load itself in the service cgroup (side 1's path).
//
// Options (env): BENCH_BASE_LOADER (required), BENCH_CPU (1), BENCH_CALLS (1000000),
// BENCH_RUNS (7), BENCH_PINGPONG (20000).
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, metricOf } from './bench-support.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const base = process.env.BENCH_BASE_LOADER;
if (!existsSync(join(dist, 'collect', 'bpf', 'session.js')) || !base || !existsSync(base)) {
  process.stderr.write('bench-sides: run `npm run build` first, and set BENCH_BASE_LOADER to the loader binary to compare with\n');
  process.exitCode = 2;
} else {
  await main();
}

function fmt(x) {
  return Number.isFinite(x) ? (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1)) : 'n/a';
}

async function main() {
  const { createBpfSession } = await import(join(dist, 'collect', 'bpf', 'session.js'));
  const { probeMachine } = await import(join(dist, 'environment', 'probe.js'));
  const cgroups = await import(join(dist, 'kernel', 'cgroup.js'));
  const facts = await probeMachine();
  if (!facts.isRoot) throw new Error('run as root: the capture needs it');
  const cpu = Number(process.env.BENCH_CPU ?? 1);
  const calls = Number(process.env.BENCH_CALLS ?? 1_000_000);
  const runs = Number(process.env.BENCH_RUNS ?? 7);
  const trips = Number(process.env.BENCH_PINGPONG ?? 20_000);
  const load = join(root, 'helpers', 'bin', 'kdelta-load');
  const log = (s) => process.stderr.write(`bench-sides: ${s}\n`);
  const parent = join(facts.cgroup2, `kdelta-bench-sides-${process.pid}`);
  const created = [];
  const cgroup = async (name) => {
    created.push(join(parent, name));
    return cgroups.createCgroup(join(parent, name));
  };
  const inCgroup = (cg, argv) => execa('sh', ['-c', 'echo 0 > "$1/cgroup.procs" && shift && exec "$@"', 'kdelta', cg.path, 'taskset', '-c', String(cpu), ...argv]);

  const conds = [
    { key: 'untraced', what: 'untraced' },
    { key: 'base', what: 'base loader (BENCH_BASE_LOADER)', loader: base },
    { key: 'one', what: 'this loader, one side (no service)' },
    { key: 'two', what: 'this loader, service admitted on side 1, load on side 0', service: 'idle' },
    { key: 'svc', what: 'this loader, the load on side 1 (in the service cgroup)', service: 'load' },
  ];

  /** One run of `argv` under condition `c`: the metric the load prints. */
  async function once(c, spec, name, argv, metric) {
    const work = await cgroup(`${name}-w`);
    const other = await cgroup(`${name}-o`);
    if (c.key === 'untraced') return metricOf((await inCgroup(work, argv)).stdout, metric);
    // The load's cgroup is the repetition's on side 0, the service's on side 1.
    const rep = c.service === 'load' ? { index: 0, warmup: false, cgroup: other, service: work } : { index: 0, warmup: false, cgroup: work, ...(c.service && { service: other }) };
    const s = createBpfSession(spec, facts, { calibrate: false, ...(c.loader && { loader: c.loader }) });
    try {
      await s.start([rep]);
      await s.beforeRepetition(rep);
      const v = metricOf((await inCgroup(work, argv)).stdout, metric);
      await s.afterRepetition(rep, { pid: null, threads: [] });
      return v;
    } finally {
      await s.stop();
    }
  }

  async function section(name, spec, argv, metric) {
    const t = Object.fromEntries(conds.map((c) => [c.key, []]));
    for (let r = 0; r < runs; r++) {
      log(`${name}: round ${r + 1} of ${runs}`);
      for (const c of conds) t[c.key].push(await once(c, spec, `${name}-${c.key}-${r}`, argv, metric));
    }
    return t;
  }

  const out = [];
  const table = (title, unit, t) => {
    const u = median(t.untraced);
    out.push(`| ${title} | ${unit} (median of ${runs}) | spread | added vs untraced |`, '| --- | ---: | ---: | ---: |');
    for (const c of conds) {
      const m = median(t[c.key]);
      out.push(`| ${c.what} | ${fmt(m)} | ${fmt(Math.min(...t[c.key]))}-${fmt(Math.max(...t[c.key]))} | ${fmt(m - u)} |`);
    }
    out.push('');
  };
  try {
    const sys = { readyDelay: false, irq: false, syscalls: { include: [], exclude: [], excludeBlocking: false, sample: 1 } };
    table(`null syscall (getppid, taskset -c ${cpu}), every call timed`, 'ns/call', await section('loop', sys, [load, 'syscall-loop', '--count', String(calls)], 'syscall_ns'));
    const ready = { readyDelay: true, irq: false, syscalls: false };
    table(`pipe ping-pong, both threads on CPU ${cpu}, ready delay`, 'ns/round trip', await section('pingpong', ready, [load, 'pipe-pingpong', '--count', String(trips)], 'round_trip_ns'));
    const la = (await execa('cat', ['/proc/loadavg'])).stdout.split(' ').slice(0, 3).join(' ');
    out.push(`load average at the end: ${la}`);
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    for (const p of created.reverse()) await cgroups.removeCgroup(p).catch(() => undefined);
    await cgroups.removeCgroup(parent).catch(() => undefined);
  }
}
