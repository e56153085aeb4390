import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCpuList } from './cpulist.js';

export interface Topology {
  /** /sys/devices/system/cpu/online. */
  onlineCpus: number[];
  /** NUMA node of each CPU listed in a node's cpulist; a machine without /sys/devices/system/node is node 0 for all. */
  cpuNode: Record<number, number>;
  nodes: number[];
  /** Groups of hardware threads sharing a core (each group sorted, groups sorted by first CPU); single-thread cores included. */
  smtSiblings: number[][];
  /** IRQ number -> CPUs it may be delivered to (/proc/irq/<n>/smp_affinity_list). */
  irqAffinity: Record<string, number[]>;
}

/** CPU -> node from the cpulist of each node directory. A CPU listed twice keeps the lowest node. */
export function cpuNodeFromCpulists(nodes: ReadonlyArray<{ node: number; cpulist: string }>): Record<number, number> {
  const out: Record<number, number> = {};
  for (const { node, cpulist } of [...nodes].sort((a, b) => a.node - b.node)) {
    for (const cpu of parseCpuList(cpulist) ?? []) if (out[cpu] === undefined) out[cpu] = node;
  }
  return out;
}

/** Distinct sibling groups from the thread_siblings_list of each CPU. */
export function smtSiblingGroups(lists: readonly string[]): number[][] {
  const seen = new Map<string, number[]>();
  for (const text of lists) {
    const cpus = parseCpuList(text);
    if (cpus && cpus.length > 0) seen.set(cpus.join(','), cpus);
  }
  return [...seen.values()].sort((a, b) => a[0]! - b[0]!);
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

async function listDir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch {
    return [];
  }
}

/**
 * Reads the machine's CPU, NUMA and IRQ-affinity layout. Roots are parameters so a recorded
 * tree can stand in for /sys and /proc. Missing files give the smallest honest answer
 * (no node directory: one node 0; no affinity file: the IRQ is left out).
 */
export async function readTopology(roots: { sys: string; proc: string } = { sys: '/sys', proc: '/proc' }): Promise<Topology> {
  const cpuDir = join(roots.sys, 'devices/system/cpu');
  const onlineCpus = parseCpuList((await readText(join(cpuDir, 'online'))) ?? '') ?? [];
  const nodeDir = join(roots.sys, 'devices/system/node');
  const nodeEntries: Array<{ node: number; cpulist: string }> = [];
  for (const entry of await listDir(nodeDir)) {
    const m = /^node(\d+)$/.exec(entry);
    if (!m) continue;
    const cpulist = await readText(join(nodeDir, entry, 'cpulist'));
    if (cpulist !== null) nodeEntries.push({ node: Number(m[1]), cpulist });
  }
  let cpuNode = cpuNodeFromCpulists(nodeEntries);
  let nodes = nodeEntries.map((n) => n.node).sort((a, b) => a - b);
  if (nodes.length === 0) {
    nodes = [0];
    cpuNode = Object.fromEntries(onlineCpus.map((c) => [c, 0]));
  }
  const siblingLists: string[] = [];
  for (const cpu of onlineCpus) {
    const text = await readText(join(cpuDir, `cpu${cpu}`, 'topology/thread_siblings_list'));
    if (text !== null) siblingLists.push(text);
  }
  const irqAffinity: Record<string, number[]> = {};
  const irqDir = join(roots.proc, 'irq');
  for (const entry of await listDir(irqDir)) {
    if (!/^\d+$/.test(entry)) continue;
    const text = await readText(join(irqDir, entry, 'smp_affinity_list'));
    const cpus = text === null ? null : parseCpuList(text);
    if (cpus) irqAffinity[entry] = cpus;
  }
  return { onlineCpus, cpuNode, nodes, smtSiblings: smtSiblingGroups(siblingLists), irqAffinity };
}
