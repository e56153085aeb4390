import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProcSession } from '../../../src/collect/proc/session.js';
import { machineFacts } from '../../fixtures/machine-facts.js';

const facts = machineFacts({ bpftrace: null, tracefs: null, cgroup2: '/sys/fs/cgroup', cpuNode: { 0: 0 }, numaNodes: [0], kernelRelease: '6.18.0', cpuModel: 'test' });
const snmp = (retrans: number) => `Tcp: RtoAlgorithm RetransSegs\nTcp: 1 ${retrans}\n`;

describe('the /proc sampler with its opt-in parts', () => {
  let dir: string;
  let proc: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kdelta-proc-extras-'));
    proc = join(dir, 'proc');
    await mkdir(join(proc, 'net'), { recursive: true });
    await writeFile(join(proc, 'interrupts'), '           CPU0\nLOC:  1  Local timer interrupts\n');
    await writeFile(join(proc, 'softirqs'), '      CPU0\n  NET_RX:  5\n');
    await writeFile(join(proc, 'stat'), 'ctxt 1000\nintr 50\nprocs_running 1\nprocs_blocked 0\n');
    await writeFile(join(proc, 'net/snmp'), snmp(10));
    await writeFile(join(proc, 'vmstat'), 'pgfault 100\npgmajfault 2\n');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function oneRepetition(spec: { intervalMs: number; net?: boolean; memory?: boolean }) {
    const s = createProcSession(spec, facts, { roots: { proc, sys: join(dir, 'sys') } });
    const rep = { index: 0, warmup: false, cgroup: null };
    await s.start([rep]);
    await s.beforeRepetition(rep);
    await writeFile(join(proc, 'net/snmp'), snmp(13));
    await writeFile(join(proc, 'vmstat'), 'pgfault 150\npgmajfault 3\n');
    const cap = await s.afterRepetition(rep, { pid: null, threads: [] });
    await s.stop();
    return new Map(cap.metrics.map((m) => [m.name, m.value]));
  }

  it('adds the snmp and vmstat deltas of the repetition when net and memory are on', async () => {
    const m = await oneRepetition({ intervalMs: 1000, net: true, memory: true });
    expect([m.get('net.snmp.Tcp.RetransSegs.count'), m.get('mem.vmstat.pgfault.count'), m.get('mem.vmstat.pgmajfault.count')]).toEqual([3, 50, 1]);
  });

  it('reads neither part when they are off', async () => {
    const m = await oneRepetition({ intervalMs: 1000 });
    expect([...m.keys()].filter((k) => k.startsWith('net.') || k.startsWith('mem.'))).toEqual([]);
  });
});
