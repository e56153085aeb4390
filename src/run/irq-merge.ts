import type { IrqTable } from './types.js';

/** Sums the per-repetition irqstat tables of a scenario into one, keeping the top rows by total. */
export function mergeIrqTables(acc: IrqTable | null, next: IrqTable, top = 20): IrqTable {
  if (!acc) return next;
  const rows = new Map(acc.rows.map((r) => [r.name, { ...r, perNode: [...r.perNode] }]));
  for (const r of next.rows) {
    const seen = rows.get(r.name);
    if (!seen) rows.set(r.name, { ...r, perNode: [...r.perNode] });
    else {
      seen.total += r.total;
      r.perNode.forEach((v, i) => (seen.perNode[i] = (seen.perNode[i] ?? 0) + v));
    }
  }
  const perCpu = new Map(acc.perCpu.map((c) => [c.cpu, { ...c }]));
  for (const c of next.perCpu) {
    const seen = perCpu.get(c.cpu);
    if (seen) seen.total += c.total;
    else perCpu.set(c.cpu, { ...c });
  }
  return {
    nodes: acc.nodes,
    rows: [...rows.values()].sort((a, b) => b.total - a.total).slice(0, top),
    perCpu: [...perCpu.values()].sort((a, b) => a.cpu - b.cpu),
  };
}
