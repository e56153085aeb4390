#!/usr/bin/env node
// Capture cost of slow-call events (`npm run bench:events`, as root, after `npm run build`):
// a null-syscall loop (raw getppid from kdelta-load, pinned with taskset to BENCH_CPU) with no
// capture, and with collect.ebpf.syscalls.events on at a threshold no call reaches (1 s), so
// what is measured is the cost every fast call pays: the enter program, the exit program's
// storage lookup and compare. For scale, the main capture timing every syscall is a third
// condition. The conditions take turns in rounds; medians are reported, with
// the load average, because on a shared machine the spread is the other users.
//
// Options (env): BENCH_CPU (1), BENCH_CALLS (1000000), BENCH_RUNS (9).
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, metricOf } from './bench-support.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

const fmt = (x) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');


async function main() {
  const { createEventsSession } = await import(join(dist, 'collect', 'bpf', 'events-session.js'));
  const { createBpfSession } = await import(join(dist, 'collect', 'bpf', 'session.js'));
  const { probeMachine } = await import(join(dist, 'environment', 'probe.js'));
  const { createCgroup, removeCgroup } = await import(join(dist, 'kernel', 'cgroup.js'));
  const cpu = Number(process.env.BENCH_CPU ?? 1);
  const calls = Number(process.env.BENCH_CALLS ?? 1_000_000);
  const runs = Number(process.env.BENCH_RUNS ?? 9);
  const loader = join(root, 'helpers', 'bin', 'kdelta-load');
  const log = (s) => process.stderr.write(`bench-events: ${s}\n`);
  const facts = await probeMachine();
  if (!facts.isRoot) throw new Error('run as root: the capture needs it');
  const parent = join(facts.cgroup2, `kdelta-bench-events-${process.pid}`);
  const loop = (cg) =>
    execa('sh', ['-c', 'echo 0 > "$1/cgroup.procs" && shift && exec "$@"', 'kdelta', cg.path, 'taskset', '-c', String(cpu), loader, 'syscall-loop', '--count', String(calls)]);
  const conds = {
    off: async (cg) => metricOf((await loop(cg)).stdout, 'syscall_ns'),
    events: async (cg) => {
      const rep = { index: 0, warmup: false, cgroup: cg };
      const s = createEventsSession({ overNs: 1e9, max: 50, stacks: true }, facts);
      try {
        await s.start([rep]);
        await s.beforeRepetition(rep);
        const ns = metricOf((await loop(cg)).stdout, 'syscall_ns');
        const cap = await s.afterRepetition(rep, { pid: null, threads: [] });
        const seen = cap.tables?.syscallEvents?.seen ?? -1;
        if (seen !== 0) throw new Error(`a call passed the 1 s threshold (seen ${seen}): the row would not measure the fast path`);
        return ns;
      } finally {
        await s.stop();
      }
    },
    main: async (cg) => {
      const rep = { index: 0, warmup: false, cgroup: cg };
      const spec = { readyDelay: false, irq: false, syscalls: { include: [], exclude: [], excludeBlocking: false, sample: 1 } };
      const s = createBpfSession(spec, facts, { calibrate: false });
      try {
        await s.start([rep]);
        await s.beforeRepetition(rep);
        const ns = metricOf((await loop(cg)).stdout, 'syscall_ns');
        await s.afterRepetition(rep, { pid: null, threads: [] });
        return ns;
      } finally {
        await s.stop();
      }
    },
  };
  const out = { off: [], events: [], main: [] };
  const orders = [['off', 'events', 'main'], ['events', 'main', 'off'], ['main', 'off', 'events']];
  const loadBefore = load();
  let n = 0;
  try {
    for (let r = 0; r < runs; r++) {
      // The order rotates per round: no condition always runs on a cache another warmed.
      for (const name of orders[r % orders.length]) {
        const cg = await createCgroup(join(parent, `c${n++}`));
        try {
          out[name].push(await conds[name](cg));
        } finally {
          await removeCgroup(cg.path);
        }
      }
      log(`round ${r + 1}/${runs}: off ${fmt(out.off.at(-1))} ns, events ${fmt(out.events.at(-1))} ns, main capture ${fmt(out.main.at(-1))} ns`);
    }
  } finally {
    await removeCgroup(parent).catch(() => {});
  }
  const off = median(out.off);
  const on = median(out.events);
  const main = median(out.main);
  process.stdout.write(
    [
      `null syscall (getppid, taskset -c ${cpu}, ${calls} calls x ${runs} rounds), slow-call events over 1 s (never reached)`,
      '',
      '| condition | ns/call (median) | range | ratio to off |',
      '| --- | ---: | ---: | ---: |',
      `| off | ${fmt(off)} | ${fmt(Math.min(...out.off))}-${fmt(Math.max(...out.off))} | 1.00x |`,
      `| events on | ${fmt(on)} | ${fmt(Math.min(...out.events))}-${fmt(Math.max(...out.events))} | ${(on / off).toFixed(2)}x |`,
      `| main capture, every syscall timed (for scale) | ${fmt(main)} | ${fmt(Math.min(...out.main))}-${fmt(Math.max(...out.main))} | ${(main / off).toFixed(2)}x |`,
      '',
      `added cost per call: ${fmt(on - off)} ns; load average before: ${loadBefore}, after: ${load()}`,
      '',
    ].join('\n'),
  );
}

if (!existsSync(join(dist, 'collect', 'bpf', 'events-session.js'))) {
  process.stderr.write('bench-events: run `npm run build` first (dist/collect/bpf/events-session.js is missing)\n');
  process.exitCode = 2;
} else {
  await main();
}
