import type { SchedTimeline } from '../../run/timeline.js';
import { formatCount, formatFraction, formatValue } from '../format.js';
import { columnsFigure } from './bars.js';
import { esc } from './escape.js';
import { heatMapFigure, MAX_TIME_COLUMNS, type HeatRow } from './heatmap.js';
import { cpuOrder, nodeLabel, repetitionText, sum, typicalRepetition, type SideView } from './pick.js';

/** Thread groups drawn one core-locality map each; the rest are in the per-core maps. */
export const MAX_LOCALITY_GROUPS = 6;
/** A group with less of the workload's on-CPU time than this (a launcher, a short-lived helper) gets no map of its own. */
export const MIN_LOCALITY_SHARE = 0.01;
export const OTHER_LABEL = 'idle or other tasks';

function slotLabel(t: SchedTimeline, i: number): string {
  const s = t.slotNs / 1e9;
  return `${(i * s).toFixed(2)}–${((i + 1) * s).toFixed(2)} s`;
}

function cpuRows(t: SchedTimeline, value: (cpuIndex: number) => number[]): HeatRow[] {
  return cpuOrder(t.cpus, t.nodes).map((i) => {
    const band = nodeLabel(t.nodes?.[i]);
    return { label: `CPU ${t.cpus[i]}`, values: value(i), ...(band !== undefined && { band }) };
  });
}

/** Groups by their on-CPU time over all repetitions, largest first. */
export function groupTotals(all: readonly SchedTimeline[]): Array<{ name: string; onCpuNs: number; switches: number }> {
  const acc = new Map<string, { onCpuNs: number; switches: number }>();
  for (const t of all) {
    for (const g of t.groups) {
      const a = acc.get(g.name) ?? { onCpuNs: 0, switches: 0 };
      a.onCpuNs += sum(g.onCpuNs.flat());
      a.switches += sum(g.switches.flat());
      acc.set(g.name, a);
    }
  }
  return [...acc].map(([name, a]) => ({ name, ...a })).sort((a, b) => b.onCpuNs - a.onCpuNs || a.name.localeCompare(b.name));
}

function slotsOf(t: SchedTimeline): string[] {
  return Array.from({ length: t.slots }, (_, i) => slotLabel(t, i));
}

/** Per core, summed over every repetition: each group's share of the time, and what is left. */
function perCoreMaps(all: readonly SchedTimeline[], ranked: ReturnType<typeof groupTotals>, side: string | null): string {
  const first = all[0]!;
  const cpus = first.cpus;
  const columns = cpus.map((c) => `CPU ${c}`);
  const span = sum(all.map((t) => t.slots * t.slotNs));
  const per = (name: string, key: 'onCpuNs' | 'switches') =>
    cpus.map((cpu) => sum(all.flatMap((t) => {
      const ci = t.cpus.indexOf(cpu);
      const g = t.groups.find((x) => x.name === name);
      return ci < 0 || !g ? [] : g[key][ci] ?? [];
    })));
  const share = ranked.map((g) => ({ label: g.name, values: per(g.name, 'onCpuNs').map((ns) => (span > 0 ? ns / span : 0)) }));
  const other = cpus.map((_, ci) => Math.max(0, 1 - sum(share.map((r) => r.values[ci] ?? 0))));
  return [
    heatMapFigure({ kind: 'heat-runtime-group-core', caption: `Run time per core per thread group, share of the time of all ${all.length} repetitions${side ? ` of the ${side}` : ''} (the last row: idle or tasks outside the workload)`, rows: [...share, { label: OTHER_LABEL, values: other }], columns, format: formatFraction, max: 1, axis: 'columns' }),
    heatMapFigure({ kind: 'heat-switches-group-core', caption: `Context switches per thread group per core, all ${all.length} repetitions${side ? ` of the ${side}` : ''}`, rows: ranked.map((g) => ({ label: g.name, values: per(g.name, 'switches') })), columns, format: (v) => `${formatCount(v)} switches`, axis: 'columns' }),
  ].join('\n');
}

/**
 * The eBPF timeline's pictures of one side: switches per CPU over time, where each thread
 * group ran (core locality), its run time and switches per core, and ready delay per slot.
 */
export function timelineHeatMaps(v: SideView): string {
  const all = v.timeline;
  const rep = typicalRepetition(v.wall, all.map((t) => t.repetition));
  const t = all.find((x) => x.repetition === rep);
  if (!t) return '';
  const of = `${repetitionText(v, t.repetition)}, ${formatValue(t.slotNs, 'ns')} slots`;
  const columns = slotsOf(t);
  const ranked = groupTotals(all);
  const workload = sum(ranked.map((g) => g.onCpuNs));
  const parts = [
    heatMapFigure({
      kind: 'heat-switches-cpu',
      caption: `Context switches of the workload per CPU over time, ${of}`,
      rows: cpuRows(t, (ci) => columns.map((_, slot) => sum(t.groups.map((g) => g.switches[ci]?.[slot] ?? 0)))),
      columns,
      format: (x) => `${formatCount(x)} switches`,
    }),
  ];
  for (const g of ranked.filter((x) => x.onCpuNs >= MIN_LOCALITY_SHARE * workload).slice(0, MAX_LOCALITY_GROUPS)) {
    const group = t.groups.find((x) => x.name === g.name);
    if (!group) continue;
    parts.push(heatMapFigure({
      kind: 'heat-locality',
      caption: `Core locality of ${g.name}: share of each slot it ran on each CPU, ${of}`,
      rows: cpuRows(t, (ci) => columns.map((_, slot) => (group.onCpuNs[ci]?.[slot] ?? 0) / t.slotNs)),
      columns,
      format: formatFraction,
      max: 1,
      merge: 'mean',
    }));
  }
  parts.push(perCoreMaps(all, ranked, v.side));
  const f = Math.ceil(t.readyDelayNs.length / MAX_TIME_COLUMNS);
  const ready = Array.from({ length: Math.ceil(t.readyDelayNs.length / f) }, (_, i) => sum(t.readyDelayNs.slice(i * f, (i + 1) * f)));
  const wide: SchedTimeline = { ...t, slotNs: t.slotNs * f };
  parts.push(columnsFigure('ready-delay-slots', `Ready delay of the workload per ${formatValue(wide.slotNs, 'ns')}, ${of}`, ready, (i) => slotLabel(wide, i), (x) => formatValue(x, 'ns')));
  const lost = sum(all.map((x) => x.lost));
  if (lost > 0) parts.push(`<p class="warn">${esc(`${formatCount(lost)} scheduling events did not fit the capture's bounded maps and are missing from these pictures.`)}</p>`);
  return parts.join('\n');
}
