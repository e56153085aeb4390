import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetricPoint } from '../../metrics/types.js';
import { DEVICE_COUNTERS, netDeltas, parseSnmpPairs, parseSoftnetStat, type DeviceStats, type NetSnapshot } from './net.js';
import { parseVmstat, vmstatDeltas } from './vmstat.js';

/** The optional /proc parts a scenario switches on (`collect.proc.net`, `collect.proc.memory`). */
export interface ProcParts {
  net: boolean;
  memory: boolean;
}

/** What the optional parts read at one moment: before a repetition, and after it. */
export interface ExtrasSnapshot {
  net: NetSnapshot | null;
  vmstat: Map<string, number> | null;
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

async function readDeviceStats(sysRoot: string): Promise<DeviceStats | null> {
  const base = join(sysRoot, 'class/net');
  let devices: string[];
  try {
    devices = await readdir(base);
  } catch {
    return null;
  }
  const out: DeviceStats = {};
  await Promise.all(
    devices.map(async (dev) => {
      const counters: Partial<Record<(typeof DEVICE_COUNTERS)[number], number>> = {};
      for (const c of DEVICE_COUNTERS) {
        const text = await readText(join(base, dev, 'statistics', c));
        const v = text === null ? NaN : Number(text.trim());
        if (Number.isFinite(v)) counters[c] = v;
      }
      out[dev] = counters;
    }),
  );
  return out;
}

/** Reads the switched-on parts; files are read in parallel, a missing file leaves its part null. */
export async function readExtras(parts: ProcParts, roots: { proc: string; sys: string }): Promise<ExtrasSnapshot> {
  const [softnet, snmp, netstat, devices, vmstat] = await Promise.all([
    parts.net ? readText(join(roots.proc, 'net/softnet_stat')) : null,
    parts.net ? readText(join(roots.proc, 'net/snmp')) : null,
    parts.net ? readText(join(roots.proc, 'net/netstat')) : null,
    parts.net ? readDeviceStats(roots.sys) : null,
    parts.memory ? readText(join(roots.proc, 'vmstat')) : null,
  ]);
  const pairs = [snmp, netstat].map((t) => (t === null ? null : parseSnmpPairs(t)));
  const merged = pairs.every((p) => p === null) ? null : new Map(pairs.flatMap((p) => [...(p ?? new Map<string, number>())]));
  return {
    net: parts.net ? { softnet: softnet === null ? null : parseSoftnetStat(softnet), snmp: merged, devices } : null,
    vmstat: vmstat === null ? null : parseVmstat(vmstat),
  };
}

/** The optional parts' metrics of one repetition, machine-wide counts (unit 1, lower is better, 0 where absent). */
export function extrasMetrics(before: ExtrasSnapshot, after: ExtrasSnapshot): MetricPoint[] {
  const deltas = [
    ...(before.net && after.net ? netDeltas(before.net, after.net) : []),
    ...(before.vmstat && after.vmstat ? vmstatDeltas(before.vmstat, after.vmstat) : []),
  ];
  return deltas.map((d) => ({ name: d.name, unit: '1', better: 'lower', value: d.value, zeroWhenAbsent: true }));
}
