import { createHash } from 'node:crypto';
import { readTopology } from '../kernel/topology.js';
import { formatCpuList } from '../kernel/cpulist.js';
import type { Fingerprint, MachineFacts } from './types.js';

/**
 * sha256 (first 16 hex) of every IRQ's affinity, in IRQ number order. A moved IRQ changes every
 * distribution metric, so the digest is part of what makes two runs comparable.
 */
export function irqAffinityDigest(affinity: Readonly<Record<string, readonly number[]>>): string {
  const lines = Object.keys(affinity)
    .sort((a, b) => Number(a) - Number(b) || a.localeCompare(b))
    .map((irq) => `${irq}:${formatCpuList(affinity[irq] ?? [])}`);
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

/** The fingerprint from probed facts and an IRQ affinity table (pure; `fingerprint` reads the table). */
export function fingerprintFrom(facts: MachineFacts, affinity: Readonly<Record<string, readonly number[]>>, nodeVersion: string): Fingerprint {
  return {
    arch: facts.arch,
    cpuModel: facts.cpuModel,
    cpuCount: facts.onlineCpus.length,
    numaNodes: facts.numaNodes.length,
    smt: facts.smt,
    kernelRelease: facts.kernelRelease,
    governor: facts.governor,
    bpftraceVersion: facts.bpftrace?.version ?? null,
    irqAffinityDigest: irqAffinityDigest(affinity),
    nodeVersion,
  };
}

/** This machine's fingerprint: the facts plus /proc/irq/<n>/smp_affinity_list and the Node version. */
export async function fingerprint(facts: MachineFacts): Promise<Fingerprint> {
  const topology = await readTopology();
  return fingerprintFrom(facts, topology.irqAffinity, process.version);
}

/** Fields in the order a reader should see them: the ones that change results most come first. */
const FINGERPRINT_FIELDS: ReadonlyArray<keyof Fingerprint> = [
  'arch',
  'cpuModel',
  'cpuCount',
  'numaNodes',
  'smt',
  'kernelRelease',
  'governor',
  'irqAffinityDigest',
  'bpftraceVersion',
  'nodeVersion',
];

/** What differs between two fingerprints, one `field: old -> new` line each; empty when they match. */
export function fingerprintMismatch(a: Fingerprint, b: Fingerprint): string[] {
  const show = (v: unknown): string => (v === null || v === undefined ? 'none' : String(v));
  return FINGERPRINT_FIELDS.filter((f) => a[f] !== b[f]).map((f) => `${f}: ${show(a[f])} -> ${show(b[f])}`);
}

/** `AMD EPYC 7B13 64-Core Processor` -> `amd-epyc-7b13-64-core`: safe in file names, stable across runs. */
export function slugOf(text: string, maxLength = 40): string {
  const slug = text
    .toLowerCase()
    .replace(/\((r|tm|c)\)/gu, '')
    .replace(/\b(processor|cpu)\b/gu, '')
    .replace(/@.*$/u, '')
    .replace(/[^a-z0-9]+/gu, '-')
    .replace(/^-+|-+$/gu, '');
  const cut = slug.slice(0, maxLength).replace(/-+$/u, '');
  return cut || 'unknown';
}

/**
 * The machine class baselines are stored under: `x86_64-2cpu-1node-amd-epyc`. Made of the
 * fields that change results by design (architecture, CPU model, CPU and node counts), not of
 * versions, so a kernel upgrade shows up as a fingerprint mismatch rather than a new class.
 */
export function machineSlug(fp: Fingerprint): string {
  const arch = fp.arch.toLowerCase().replace(/[^a-z0-9_]+/gu, '-') || 'unknown';
  return `${arch}-${fp.cpuCount}cpu-${fp.numaNodes}node-${slugOf(fp.cpuModel)}`;
}
