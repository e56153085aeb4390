import type { Histogram } from '../../metrics/types.js';
import { formatValue } from '../format.js';
import { failureHeadline, INPUT_FAILURE } from '../verdicts.js';
import type { MetricReport, ScenarioReport } from '../types.js';
import { barsFigure } from './bars.js';
import { procHeatMaps } from './cpu-maps.js';
import { esc } from './escape.js';
import { slowCallsHtml } from './events.js';
import { threadGroupTable } from './groups.js';
import { histogramFigure, type HistogramSeries } from './histogram.js';
import { sidesOf, type SideView } from './pick.js';
import { timelineHeatMaps } from './timeline-maps.js';

/** Syscalls drawn as histograms: the ones that took the most time. */
export const TOP_SYSCALLS = 4;
const TOP_IRQ_BARS = 12;

function median(m: MetricReport | undefined): number {
  return m?.summary.median ?? 0;
}

/** A baseline that carries histograms (a later baseline format) is drawn under the current run. */
function seriesOf(m: MetricReport): HistogramSeries[] {
  const out: HistogramSeries[] = [];
  const baseHist = (m.baseline as { histogram?: Histogram } | null)?.histogram;
  if (baseHist) out.push({ who: 'baseline', histogram: baseHist });
  if (m.histogram) out.push({ who: 'current', histogram: m.histogram });
  return out;
}

function histograms(s: ScenarioReport): string {
  const byName = new Map(s.metrics.map((m) => [m.name, m]));
  const withHist = s.metrics.filter((m) => m.histogram && m.histogram.buckets.length > 0);
  const parts: string[] = [];
  const ready = withHist.find((m) => m.name.startsWith('sched.ready_delay.') && !m.name.startsWith('sched.ready_delay.thread.'));
  if (ready) parts.push(histogramFigure('Ready delay (run-queue wait)', seriesOf(ready)));
  const family = (name: string) => name.replace(/\.[^.]+$/, '');
  const syscalls = withHist
    .filter((m) => m.name.startsWith('syscall.') && !m.name.startsWith('syscall.all.'))
    .sort((a, b) => median(byName.get(`${family(b.name)}.total`)) - median(byName.get(`${family(a.name)}.total`)) || a.name.localeCompare(b.name))
    .slice(0, TOP_SYSCALLS);
  for (const m of syscalls) parts.push(histogramFigure(`Latency of ${family(m.name).slice('syscall.'.length)}`, seriesOf(m)));
  for (const m of withHist.filter((x) => /^(irq\.hard|softirq)\./.test(x.name))) parts.push(histogramFigure(`Handler time of ${family(m.name)}`, seriesOf(m)));
  const handlerTime = s.metrics
    .filter((m) => /^(irq\.hard\..+|softirq\.[^.]+)\.time$/.test(m.name) && median(m) > 0)
    .map((m) => ({ label: m.name.replace(/\.time$/, ''), value: median(m) }))
    .sort((a, b) => b.value - a.value)
    .slice(0, TOP_IRQ_BARS);
  parts.push(barsFigure('irq-time', 'Interrupt handler time per repetition (median), hard IRQs and softirq vectors, system-wide', handlerTime, (v) => formatValue(v, 'ns')));
  return parts.filter(Boolean).join('\n');
}

function explanationHtml(m: MetricReport): string {
  const ex = (m.verdict as { explanation?: unknown } | null)?.explanation;
  if (ex === undefined || ex === null) return '';
  const body = typeof ex === 'string' ? `<p>${esc(ex)}</p>` : `<pre>${esc(JSON.stringify(ex, null, 2))}</pre>`;
  return `<div class="explanation"><h4>Why ${esc(m.name)} changed</h4>${body}</div>`;
}

function facts(s: ScenarioReport): string {
  const items = [
    `${s.repetitions} repetitions, ${s.warmup} warm-up`,
    s.isolation.kind === 'cgroup' ? `isolated in a cgroup` : `isolation: ${s.isolation.kind} (${s.isolation.reason})`,
    s.baseline ? `baseline ${s.baseline.machine}, recorded ${s.baseline.recordedAt}${s.baseline.stale ? ' (stale)' : ''}${s.baseline.mismatch.length ? `; machine differs: ${s.baseline.mismatch.join(', ')}` : ''}` : 'no baseline',
    ...s.collectors.map((c) => `${c.name}: ${!c.enabled ? 'off' : c.availability.state === 'ready' ? 'ran' : `unavailable (${c.availability.reason})`}`),
  ];
  const lost = s.lost.length ? `<p class="warn">${esc(`${s.lost.length} losses recorded (see report.json "lost").`)}</p>` : '';
  const f = s.failure;
  const headline = f ? failureHeadline(f) : '';
  const failure = f ? `<p class="warn">${esc(`${headline.charAt(0).toUpperCase()}${headline.slice(1)}: ${f.message}`)}</p>${f.kind === INPUT_FAILURE ? '' : `<pre>${esc(f.stderrTail)}</pre>`}` : '';
  return `<ul class="facts">${items.map((i) => `<li>${esc(i)}</li>`).join('')}</ul>${failure}${lost}`;
}

/** One side's heat maps, each missing part said in words. */
function whereOnTheMachine(v: SideView): string {
  const timeline = timelineHeatMaps(v);
  const proc = procHeatMaps(v);
  const of = v.side ? ` of the ${v.side}` : '';
  return [
    v.side ? `<h4 class="side">${esc(v.side)}</h4>` : '',
    timeline || `<p class="muted">${esc(`No scheduling timeline${of} in this report: core locality and run time per core need the eBPF capture's time and CPU dimension (collect.ebpf.timeline, with ready_delay).`)}</p>`,
    proc || `<p class="muted">${esc(`No per-CPU interrupt series${of} (the /proc sampler did not run).`)}</p>`,
  ].filter(Boolean).join('\n');
}

/** One scenario's section: facts, kernel explanations, histograms, slowest system calls, heat maps (per side in an A/B report), the thread-group table. */
export function scenarioSection(s: ScenarioReport, id: string, arch: string): string {
  const explanations = s.metrics.map(explanationHtml).filter(Boolean).join('\n');
  return [
    `<section class="scenario" id="${id}">`,
    `<h2>${esc(s.name)} <span class="status st-${esc(s.status)}">${esc(s.status)}</span></h2>`,
    s.description ? `<p>${esc(s.description)}</p>` : '',
    facts(s),
    explanations,
    `<h3>Latency</h3>`,
    histograms(s) || '<p class="muted">No histograms were captured.</p>',
    slowCallsHtml(s),
    `<h3>Where on the machine</h3>`,
    ...sidesOf(s).map(whereOnTheMachine),
    threadGroupTable(s, arch),
    `</section>`,
  ].filter(Boolean).join('\n');
}
