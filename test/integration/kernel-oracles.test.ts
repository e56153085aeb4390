// The kernel collector's parts against what the kernel itself counts, on real workloads.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { requireBuild, runCli, tempDir, writeScenario } from '../cli/support.js';

let dir: { path: string; remove: () => Promise<void> };

const TOUCH_C = `#include <stdlib.h>
#include <sys/mman.h>
int main(int argc, char **argv) {
  long n = atol(argv[1]);
  char *p = mmap(0, (n + 1) * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (long i = 0; i < n; i++) p[i * 4096] = 1;
  return 0;
}`;

// Reads a file through a mapping (read(2) would not fault) and prints its own majflt.
const MAJOR_C = `#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
int main(int argc, char **argv) {
  int fd = open(argv[1], O_RDONLY); struct stat st; fstat(fd, &st);
  volatile char *p = mmap(0, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0); long s = 0;
  madvise((void *)p, st.st_size, MADV_RANDOM);
  for (off_t i = 0; i < st.st_size; i += 4096) s += p[i];
  FILE *f = fopen("/proc/self/stat", "r"); char buf[1024]; fgets(buf, sizeof buf, f);
  char *q = buf; int field = 1; while (*q && field < 12) { if (*q == ' ') field++; q++; }
  long majflt = 0; sscanf(q, "%ld", &majflt); fprintf(stderr, "majflt %ld\\n", majflt);
  return s == 12345 ? 1 : 0;
}`;

beforeAll(async () => {
  requireBuild();
  dir = await tempDir('kdelta-kernel-');
  await writeFile(join(dir.path, 'touch.c'), TOUCH_C);
  await writeFile(join(dir.path, 'major.c'), MAJOR_C);
  execFileSync('cc', ['-O1', '-o', join(dir.path, 'touch'), join(dir.path, 'touch.c')]);
  execFileSync('cc', ['-O1', '-o', join(dir.path, 'major'), join(dir.path, 'major.c')]);
  execFileSync('dd', ['if=/dev/urandom', `of=${join(dir.path, 'data')}`, 'bs=1M', 'count=16'], { stdio: 'ignore' });
});
afterAll(async () => {
  await dir?.remove();
});

async function run(name: string, command: string[], ebpf: string, repetitions = 3, proc = 'true'): Promise<Map<string, number[]>> {
  const file = await writeScenario(
    dir.path,
    `${name}.yaml`,
    `name: ${name}
workload:
  command: ${JSON.stringify(command)}
repetitions: ${repetitions}
warmup: 0
collect:
  proc: ${proc}
  ebpf: { ready_delay: false, syscalls: false, irq: false, ${ebpf} }
  require: [kernel]
`,
  );
  const out = join(dir.path, `out-${name}`);
  const r = await runCli(['run', file, '--out', out, '--baselines', join(dir.path, 'bl'), '--machine', 'kernel-test']);
  expect(r.code, r.stderr).toBe(0);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  return new Map(report.scenarios[0]!.metrics.map((m) => [m.name, m.samples]));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('kernel collector oracles', () => {
  it('counts the minor faults of N freshly touched pages within 1% of N', async () => {
    const n = 40_000;
    const base = await run('touch-none', [join(dir.path, 'touch'), '0'], 'faults: true');
    const many = await run('touch-many', [join(dir.path, 'touch'), String(n)], 'faults: true');
    const extra = median(many.get('mem.faults.minor.count')!) - median(base.get('mem.faults.minor.count')!);
    expect(Math.abs(extra - n) / n).toBeLessThan(0.01);
  }, 120_000);

  it('sees major faults after the page cache is dropped, at least as many as the task counted itself', async () => {
    const script = `sync; echo 1 > /proc/sys/vm/drop_caches; exec ${join(dir.path, 'major')} ${join(dir.path, 'data')} 2>> ${join(dir.path, 'majflt.log')}`;
    const m = await run('major', ['sh', '-c', script], 'faults: true', 2);
    const own = readFileSync(join(dir.path, 'majflt.log'), 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[1]));
    const seen = m.get('mem.faults.major.count')!;
    expect(own.every((x) => x > 0)).toBe(true);
    // Where the memory controller is off, the figure is the machine's, which holds the task's.
    expect(seen.map((x, i) => x >= own[i]!)).toEqual([true, true]);
  }, 120_000);

  it('counts fio fsynced 4 KiB writes as block requests with a latency histogram, within the disk stat delta', async () => {
    const dev = execFileSync('sh', ['-c', `basename $(df --output=source ${dir.path} | tail -1)`], { encoding: 'utf8' }).trim();
    const stat = () => readFileSync(`/sys/block/${dev}/stat`, 'utf8').trim().split(/\s+/).map(Number);
    const before = stat();
    const m = await run('fio', ['fio', '--name=w', `--filename=${join(dir.path, 'fio.dat')}`, '--rw=write', '--bs=4k', '--size=400k', '--fsync=1', '--ioengine=sync'], 'block: true', 2);
    const after = stat();
    const writes = m.get(`block.${dev}.write.count`)!;
    // fio writes 100 blocks, each followed by an fsync: at least 100 write requests per repetition.
    expect(writes.every((w) => w >= 100)).toBe(true);
    expect(m.get(`block.${dev}.write.p50`)?.length).toBe(2);
    const statWrites = after[4]! - before[4]!;
    expect(writes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(statWrites);
  }, 120_000);

  it('tells the workload own fio requests apart from a writer outside its cgroup on the same disk', async () => {
    const dev = execFileSync('sh', ['-c', `basename $(df --output=source ${dir.path} | tail -1)`], { encoding: 'utf8' }).trim();
    const fio = `fio --name=w --filename=${join(dir.path, 'own.dat')} --rw=write --bs=4k --size=400k --fsync=1 --ioengine=sync --output=/dev/null`;
    // Another process writes to the same disk the whole time, outside kdelta's cgroups: the
    // machine's figure holds its requests, the workload's must not.
    const noise = spawn('sh', ['-c', `while :; do dd if=/dev/zero of=${join(dir.path, 'noise.dat')} bs=4k count=1 oflag=dsync conv=notrunc status=none; done`], { stdio: 'ignore' });
    let m: Awaited<ReturnType<typeof run>>;
    try {
      m = await run('fio-own', ['sh', '-c', fio], 'block: true', 2);
    } finally {
      noise.kill('SIGKILL');
    }
    const own = m.get(`block.own.${dev}.write.count`)!;
    const all = m.get(`block.${dev}.write.count`)!;
    // fio's 100 fsynced 4 KiB writes: each write request, plus what its fsync forces (about
    // 3 requests per write on ext4 here, measured on a quiet disk), and nothing of the writer.
    expect(own.every((x) => x >= 100 && x <= 500)).toBe(true);
    expect(own.map((x, i) => x <= all[i]!)).toEqual([true, true]);
    expect(own.map((x, i) => all[i]! - x >= 50)).toEqual([true, true]);
  }, 120_000);

  it('counts real TCP retransmits across a lossy veth pair within 1% of the namespace nstat RetransSegs', async () => {
    const [a, b] = [`kdra${process.pid}`, `kdrb${process.pid}`];
    const ns = (n: string, ...args: string[]) => execFileSync('ip', ['netns', 'exec', n, ...args], { encoding: 'utf8' });
    const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { encoding: 'utf8' });
    try {
      sh(`ip netns add ${a}; ip netns add ${b}; ip link add ${a}v type veth peer name ${b}v; ip link set ${a}v netns ${a}; ip link set ${b}v netns ${b}`);
      sh(`ip -n ${a} addr add 10.78.0.1/24 dev ${a}v; ip -n ${b} addr add 10.78.0.2/24 dev ${b}v; ip -n ${a} link set ${a}v up; ip -n ${b} link set ${b}v up`);
      // RetransSegs counts segments, the tracepoint counts retransmitted skbs: one segment per
      // skb makes the two the same count. netem is not built here, so nftables drops 1 in 20.
      sh(`ip -n ${a} link set ${a}v gso_max_segs 1`);
      ns(b, 'nft', `add table inet kdloss; add chain inet kdloss in { type filter hook input priority 0; }; add rule inet kdloss in tcp dport 5201 numgen random mod 20 0 drop`);
      ns(b, 'iperf3', '-s', '-D', '-p', '5201');
      ns(a, 'nstat', '-n');
      const m = await run('tcp-retrans', ['ip', 'netns', 'exec', a, 'iperf3', '-c', '10.78.0.2', '-p', '5201', '-t', '2', '-b', '50M'], 'net: true', 2);
      const nstat = Number(/^TcpRetransSegs\s+(\d+)/m.exec(ns(a, 'nstat'))?.[1] ?? 0);
      const seen = m.get('net.tcp.retransmit.count')!.reduce((x, y) => x + y, 0);
      expect(nstat).toBeGreaterThan(100);
      expect(Math.abs(seen - nstat) / nstat).toBeLessThan(0.01);
    } finally {
      sh(`ip netns pids ${b} | xargs -r kill; ip netns del ${a}; ip netns del ${b}; true`);
    }
  }, 120_000);

  it('counts the UDP receive-buffer drops of iperf3 over loopback within 1% of nstat, from the tracepoint and from /proc', async () => {
    const port = 5400 + (process.pid % 500);
    const script = `iperf3 -s -1 -p ${port} >/dev/null & sleep 0.5; iperf3 -c 127.0.0.1 -p ${port} -u -b 2G -l 1400 -w 8K -t 2 >/dev/null; wait`;
    execFileSync('nstat', ['-n']);
    const m = await run('iperf', ['sh', '-c', script], 'net: true', 2, '{ net: true }');
    // nstat's window holds all of kdelta's run; kdelta counts inside the repetitions only,
    // where the flood is, so the two differ by what the rest of the machine dropped meanwhile.
    const nstat = Number(/^UdpRcvbufErrors\s+(\d+)/m.exec(execFileSync('nstat', [], { encoding: 'utf8' }))?.[1] ?? 0);
    const sum = (name: string) => (m.get(name) ?? []).reduce((a, b) => a + b, 0);
    expect(nstat).toBeGreaterThan(1000);
    expect(Math.abs(sum('net.skb.drop.socket_rcvbuff.count') - nstat) / nstat).toBeLessThan(0.01);
    expect(Math.abs(sum('net.snmp.Udp.RcvbufErrors.count') - nstat) / nstat).toBeLessThan(0.01);
  }, 120_000);

  it('samples a run-queue length median of at least 1 under 4 CPU hogs on 2 CPUs', async () => {
    const m = await run('runq', ['stress-ng', '--cpu', '4', '--timeout', '3s', '--taskset', '0,1'], 'runqueue: true', 2);
    expect(m.get('sched.runqueue_length.p50')!.every((x) => x >= 1)).toBe(true);
    // Pinned to both CPUs, each CPU's own queue has a waiter too.
    expect(['cpu0', 'cpu1'].map((c) => m.get(`sched.runqueue_length.${c}.p50`)!.every((x) => x >= 1))).toEqual([true, true]);
  }, 120_000);
});
