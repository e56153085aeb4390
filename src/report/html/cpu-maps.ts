import type { ProcCpuSeries } from '../../run/timeline.js';
import { formatCount } from '../format.js';
import { heatMapFigure, type HeatRow } from './heatmap.js';
import { cpuOrder, nodeLabel, repetitionText, typicalRepetition, type SideView } from './pick.js';

function rowsOf(series: ProcCpuSeries, grid: readonly number[][]): HeatRow[] {
  return cpuOrder(series.cpus, series.nodes).map((i) => {
    const band = nodeLabel(series.nodes[i]);
    return { label: `CPU ${series.cpus[i]}`, values: [...(grid[i] ?? [])], ...(band !== undefined && { band }) };
  });
}

function sumGrids(grids: ReadonlyArray<readonly number[][]>, rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => grids.reduce((a, g) => a + (g[r]?.[c] ?? 0), 0)));
}

/**
 * irqstat's view as pictures, from the /proc sampler: device interrupts, architecture
 * interrupts (local timer, IPIs) and soft interrupts per CPU over one repetition, CPUs
 * grouped by NUMA node.
 */
export function procHeatMaps(v: SideView): string {
  const all = v.cpuSeries;
  const rep = typicalRepetition(v.wall, all.map((x) => x.repetition));
  const series = all.find((x) => x.repetition === rep);
  if (!series) return '';
  const columns = series.t.slice(0, -1).map((t0, i) => `${t0.toFixed(2)}–${(series.t[i + 1] ?? t0).toFixed(2)} s`);
  const per = (what: string) => (v: number) => `${formatCount(v)} ${what}`;
  const of = repetitionText(v, series.repetition);
  const soft = sumGrids(Object.values(series.softirq), series.cpus.length, columns.length);
  const figures = [
    heatMapFigure({ kind: 'heat-irq-cpu', caption: `Device interrupts per CPU over time, ${of}; CPUs grouped by NUMA node`, rows: rowsOf(series, series.irq), columns, format: per('interrupts') }),
    heatMapFigure({ kind: 'heat-arch-cpu', caption: `Architecture interrupts (local timer, IPIs, ...) per CPU over time, ${of}`, rows: rowsOf(series, series.arch), columns, format: per('interrupts') }),
    heatMapFigure({ kind: 'heat-softirq-cpu', caption: `Soft interrupts (all vectors) per CPU over time, ${of}`, rows: rowsOf(series, soft), columns, format: per('softirqs') }),
  ];
  const vectors = Object.entries(series.softirq)
    .map(([v, g]) => ({ v, g, n: g.flat().reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.n - a.n)
    .slice(0, 2)
    .filter((x) => x.v !== 'timer');
  for (const { v, g } of vectors) {
    figures.push(heatMapFigure({ kind: 'heat-softirq-vector', caption: `Soft interrupts ${v} per CPU over time, ${of}`, rows: rowsOf(series, g), columns, format: per(v) }));
  }
  return figures.join('\n');
}
