import { metricSegment } from './names.js';

/**
 * Network counters from /proc/net and /sys/class/net, machine-wide. None has a known starting
 * value, so only the difference across one repetition means anything.
 */

/** One row of /proc/net/softnet_stat: one per CPU that ever processed a packet, in CPU order. */
export interface SoftnetRow {
  /** The CPU this row is for: the 13th column on kernels from 5.10 on, else its position. */
  cpu: number;
  processed: number;
  dropped: number;
  /** net_rx_action ran out of budget or time with work left: the receive path could not keep up. */
  timeSqueeze: number;
}

/**
 * Parses /proc/net/softnet_stat: hexadecimal columns, processed, dropped and time_squeeze
 * first. Rows are listed for online CPUs only and skip CPUs without a backlog, so the CPU
 * number comes from column 13 where the kernel writes it (5.10+), else from the row's position.
 */
export function parseSoftnetStat(text: string): SoftnetRow[] | null {
  const rows: SoftnetRow[] = [];
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  for (const [i, line] of lines.entries()) {
    const cols = line.trim().split(/\s+/u);
    if (cols.length < 3 || !cols.every((c) => /^[0-9a-f]+$/iu.test(c))) return null;
    const hex = (k: number): number => Number.parseInt(cols[k] ?? '0', 16);
    rows.push({ cpu: cols.length >= 13 ? hex(12) : i, processed: hex(0), dropped: hex(1), timeSqueeze: hex(2) });
  }
  return rows;
}

/**
 * Parses /proc/net/snmp and /proc/net/netstat: pairs of lines `Group: Name Name...` and
 * `Group: value value...`. Returns `Group.Name` -> value, the names nstat prints without the dot.
 */
export function parseSnmpPairs(text: string): Map<string, number> | null {
  const out = new Map<string, number>();
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [headGroup, ...names] = (lines[i] ?? '').trim().split(/\s+/u);
    const [valueGroup, ...values] = (lines[i + 1] ?? '').trim().split(/\s+/u);
    if (!headGroup?.endsWith(':') || headGroup !== valueGroup || names.length !== values.length) return null;
    const group = headGroup.slice(0, -1);
    names.forEach((name, k) => {
      const v = Number(values[k]);
      if (Number.isFinite(v)) out.set(`${group}.${name}`, v);
    });
  }
  return out;
}

/** The per-device counters kept from /sys/class/net/<dev>/statistics. */
export const DEVICE_COUNTERS = ['rx_packets', 'tx_packets', 'rx_dropped', 'tx_dropped', 'rx_errors', 'tx_errors'] as const;
export type DeviceCounter = (typeof DEVICE_COUNTERS)[number];
export type DeviceStats = Record<string, Partial<Record<DeviceCounter, number>>>;

/** Everything the network part reads at one moment; a file that could not be read is null. */
export interface NetSnapshot {
  softnet: SoftnetRow[] | null;
  snmp: Map<string, number> | null;
  devices: DeviceStats | null;
}

/** A counter that moved across the repetition: `after - before`, never negative (a reset reads as 0). */
function delta(before: number | undefined, after: number | undefined): number | null {
  if (before === undefined || after === undefined) return null;
  return after >= before ? after - before : 0;
}

export interface NetDelta {
  name: string;
  value: number;
}

/**
 * The metrics of one repetition: softnet sums over CPUs, every SNMP/netstat counter that
 * moved (all of them would be some 400 metrics a repetition, nearly all zero), and per-device
 * packets, drops and errors. Counters that did not move in this repetition are left out and
 * read as 0 where another repetition has them.
 */
export function netDeltas(before: NetSnapshot, after: NetSnapshot): NetDelta[] {
  const out: NetDelta[] = [];
  if (before.softnet && after.softnet) {
    const byCpu = new Map(before.softnet.map((r) => [r.cpu, r]));
    const sums = { processed: 0, dropped: 0, time_squeeze: 0 };
    for (const r of after.softnet) {
      const b = byCpu.get(r.cpu);
      if (!b) continue;
      sums.processed += delta(b.processed, r.processed) ?? 0;
      sums.dropped += delta(b.dropped, r.dropped) ?? 0;
      sums.time_squeeze += delta(b.timeSqueeze, r.timeSqueeze) ?? 0;
    }
    for (const [k, v] of Object.entries(sums)) out.push({ name: `net.softnet.${k}.count`, value: v });
  }
  if (before.snmp && after.snmp) {
    for (const [key, v] of after.snmp) {
      const d = delta(before.snmp.get(key), v);
      if (d) out.push({ name: `net.snmp.${key}.count`, value: d });
    }
  }
  if (before.devices && after.devices) {
    for (const [dev, counters] of Object.entries(after.devices)) {
      for (const c of DEVICE_COUNTERS) {
        const d = delta(before.devices[dev]?.[c], counters[c]);
        if (d !== null) out.push({ name: `net.dev.${metricSegment(dev)}.${c}.count`, value: d });
      }
    }
  }
  return out;
}
