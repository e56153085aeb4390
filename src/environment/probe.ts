import { access, readFile, readdir } from 'node:fs/promises';
import { constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { machine, release } from 'node:os';
import { execa } from 'execa';
import { findCgroup2Mount } from '../kernel/cgroup.js';
import { readTopology } from '../kernel/topology.js';
import { TRACEFS_PATH, findTracefsMount, tracefsMountPoints } from '../kernel/tracefs.js';
import type { MachineFacts } from './types.js';

/** Capability bit numbers (include/uapi/linux/capability.h). */
export const CAP = { SYS_ADMIN: 21, PERFMON: 38, BPF: 39 } as const;

/** The effective capability set from /proc/<pid>/status, or null when the line is missing. */
export function parseCapEff(status: string): bigint | null {
  const m = /^CapEff:\s*([0-9a-fA-F]+)\s*$/mu.exec(status);
  return m?.[1] ? BigInt(`0x${m[1]}`) : null;
}

export function hasCapability(capEff: bigint, bit: number): boolean {
  return ((capEff >> BigInt(bit)) & 1n) === 1n;
}

/** CAP_BPF and CAP_PERFMON together let bpftrace load programs and attach tracepoints without root (Linux 5.8+). */
export function hasBpfCapabilities(status: string): boolean {
  const eff = parseCapEff(status);
  return eff !== null && hasCapability(eff, CAP.BPF) && hasCapability(eff, CAP.PERFMON);
}

/**
 * The CPU model from /proc/cpuinfo: `model name` on x86; arm64 has none, so its implementer and
 * part numbers stand in (they identify the core type, which is what comparability needs).
 */
export function parseCpuModel(cpuinfo: string): string {
  const field = (name: string): string | undefined =>
    new RegExp(`^${name}\\s*:\\s*(.+?)\\s*$`, 'mu').exec(cpuinfo)?.[1];
  const model = field('model name') ?? field('Model') ?? field('Hardware');
  if (model) return model;
  const implementer = field('CPU implementer');
  const part = field('CPU part');
  if (implementer && part) return `implementer ${implementer} part ${part}`;
  return 'unknown';
}

/** `bpftrace v0.17.0` -> `0.17.0`; null when the text names no version. */
export function parseBpftraceVersion(text: string): string | null {
  return /\bv?(\d+\.\d+(?:\.\d+)?(?:[-+~][0-9A-Za-z.+~-]*)?)/u.exec(text)?.[1] ?? null;
}

/** Whether a process named `name` is among the /proc/<pid>/comm contents (comm ends with a newline). */
export function commsInclude(comms: readonly string[], name: string): boolean {
  return comms.some((c) => c.trim() === name);
}

/**
 * The governor every online CPU uses, `a,b` when they differ, or null without cpufreq (VMs,
 * fixed-frequency machines).
 */
export function summarizeGovernors(governors: ReadonlyArray<string | null>): string | null {
  const named = [...new Set(governors.filter((g): g is string => g !== null).map((g) => g.trim()))].sort();
  return named.length === 0 ? null : named.join(',');
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

async function exists(path: string, mode = constants.F_OK): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, or null. */
export async function findOnPath(name: string, path = process.env.PATH ?? ''): Promise<string | null> {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (await exists(candidate, constants.X_OK)) return candidate;
  }
  return null;
}

/** bpftrace's path and version, or null when it is not installed or does not run. */
export async function probeBpftrace(): Promise<MachineFacts['bpftrace']> {
  const path = await findOnPath('bpftrace');
  if (path === null) return null;
  try {
    const { stdout, stderr } = await execa(path, ['--version'], { timeout: 10_000, reject: true });
    const version = parseBpftraceVersion(`${stdout}\n${stderr}`);
    return version === null ? null : { path, version };
  } catch {
    return null;
  }
}

async function irqbalanceRunning(): Promise<boolean> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return false;
  }
  const comms: string[] = [];
  for (const e of entries) {
    if (!/^\d+$/u.test(e)) continue;
    const comm = await readText(`/proc/${e}/comm`);
    if (comm !== null) comms.push(comm);
  }
  return commsInclude(comms, 'irqbalance');
}

/** Files readable with content: /proc/pressure/cpu exists but fails to read with EOPNOTSUPP when booted with psi=0. */
async function readable(path: string): Promise<boolean> {
  const text = await readText(path);
  return text !== null && text.trim().length > 0;
}

/**
 * What this machine can measure. Reads /proc and /sys, and runs `bpftrace --version`; never
 * throws for a missing file (the smallest honest answer instead: false, null, one node).
 */
export async function probeMachine(): Promise<MachineFacts> {
  const [status, mountinfo, cpuinfo, topology, bpftrace] = await Promise.all([
    readText('/proc/self/status'),
    readText('/proc/self/mountinfo'),
    readText('/proc/cpuinfo'),
    readTopology(),
    probeBpftrace(),
  ]);
  const smtActive = await readText('/sys/devices/system/cpu/smt/active');
  const governors = await Promise.all(
    topology.onlineCpus.map((cpu) => readText(`/sys/devices/system/cpu/cpu${cpu}/cpufreq/scaling_governor`)),
  );
  return {
    isRoot: process.getuid?.() === 0,
    hasBpfCaps: status !== null && hasBpfCapabilities(status),
    bpftrace,
    tracefs: mountinfo === null ? null : findTracefsMount(mountinfo),
    btf: await exists('/sys/kernel/btf/vmlinux'),
    cgroup2: mountinfo === null ? null : findCgroup2Mount(mountinfo),
    schedstat: await readable('/proc/self/schedstat'),
    psi: await readable('/proc/pressure/cpu'),
    onlineCpus: topology.onlineCpus,
    cpuNode: topology.cpuNode,
    numaNodes: topology.nodes,
    // smt/active is the kernel's own answer; without it (old kernels), siblings sharing a core say the same.
    smt: smtActive !== null ? smtActive.trim() === '1' : topology.smtSiblings.some((g) => g.length > 1),
    governor: summarizeGovernors(governors),
    irqbalanceRunning: await irqbalanceRunning(),
    kernelRelease: release(),
    arch: machine(),
    cpuModel: cpuinfo === null ? 'unknown' : parseCpuModel(cpuinfo),
  };
}

/**
 * Mounts tracefs at /sys/kernel/tracing when it is not mounted and we are root: without it
 * bpftrace reports "tracepoint not found" for every probe kdelta uses.
 */
export async function ensureTracefs(
  facts: MachineFacts,
  /** Where to mount it; only tests pass another place, to leave the shared mount alone. */
  target: string = TRACEFS_PATH,
): Promise<{ mounted: boolean; path?: string; error?: string }> {
  if (facts.tracefs !== null) return { mounted: true, path: facts.tracefs };
  if (!facts.isRoot) {
    return { mounted: false, error: `needs root: run \`sudo mount -t tracefs tracefs ${target}\`` };
  }
  try {
    await execa('mount', ['-t', 'tracefs', 'tracefs', target], { timeout: 10_000 });
  } catch (err) {
    const e = err as { stderr?: string; shortMessage?: string; message: string };
    return { mounted: false, error: (e.stderr?.trim() || e.shortMessage || e.message).split('\n')[0] ?? 'mount failed' };
  }
  const mounted = tracefsMountPoints((await readText('/proc/self/mountinfo')) ?? '').includes(target);
  return mounted ? { mounted: true, path: target } : { mounted: false, error: `mount reported success but ${target} is not in mountinfo` };
}
