import type { SlowCall, SlowCallEvents } from '../run/syscall-events.js';
import { formatCount, formatValue } from './format.js';
import { escapeMarkdown, plural } from './markdown-text.js';
import type { ScenarioReport } from './types.js';

/** Rows shown per scenario: the slowest calls over every repetition; report.json keeps them all. */
const ROWS = 10;
/** Frames shown per stack in a cell, innermost first. */
const FRAMES = 8;

/** A stack in one table cell; symbols come from the workload's files and are escaped. */
function stackCell(frames: readonly string[]): string {
  if (frames.length === 0) return '—';
  const shown = frames.slice(0, FRAMES).map(escapeMarkdown).join(' ← ');
  return frames.length > FRAMES ? `${shown} ← … (${frames.length - FRAMES} more)` : shown;
}

function row(repetition: number, e: SlowCall): string {
  const thread = `${escapeMarkdown(e.comm)} (${e.pid}/${e.tid})`;
  return `| ${repetition} | ${formatValue(e.t, 'ns')} | ${thread} | ${escapeMarkdown(e.syscall)} | ${formatValue(e.durationNs, 'ns')} | ${stackCell(e.user)} | ${stackCell(e.kernel)} |`;
}

/** One side's list: the threshold and counts, then its slowest calls. */
function eventsBlock(ev: SlowCallEvents, side: string | null): string[] {
  const sum = (k: 'seen' | 'dropped' | 'lost'): number => ev.repetitions.reduce((n, r) => n + r[k], 0);
  const unit = side ? 'round' : 'repetition';
  const who = side ? `, ${side} side` : '';
  const head = `**Slowest system calls${who}** (over ${formatValue(ev.overNs, 'ns')}; ${formatCount(sum('seen'))} seen in ${plural(ev.repetitions.length, unit)}, ${formatCount(sum('dropped'))} dropped past max ${formatCount(ev.max)} per ${unit}${sum('lost') > 0 ? `, ${formatCount(sum('lost'))} lost` : ''})`;
  const all = ev.repetitions.flatMap((r) => r.events.map((e) => ({ repetition: r.repetition, e })));
  if (all.length === 0) return [head, '', ev.repetitions.length === 0 ? 'Not captured.' : 'No call was slower than the threshold.', ''];
  const slowest = all.sort((a, b) => b.e.durationNs - a.e.durationNs).slice(0, ROWS);
  return [
    head,
    '',
    `| ${side ? 'Round' : 'Rep'} | At | Thread (pid/tid) | Syscall | Duration | User stack | Kernel stack |`,
    '| --: | --: | :-- | :-- | --: | :-- | :-- |',
    ...slowest.map(({ repetition, e }) => row(repetition, e)),
    ...(all.length > ROWS ? ['', `${formatCount(all.length - ROWS)} more in report.json.`] : []),
    '',
  ];
}

/**
 * summary.md's list of a scenario's slowest system calls (`collect.ebpf.syscalls.events`):
 * the threshold, how many calls passed it and how many were dropped past `max`, then the
 * slowest calls with their stacks; in an A/B report the base side's list, then the head side's.
 * Nothing when the scenario did not ask for events.
 */
export function syscallEventsMarkdown(s: ScenarioReport): string[] {
  const ev = s.syscallEvents;
  const base = s.baseSide?.syscallEvents;
  if (!base) return ev ? eventsBlock(ev, null) : [];
  return [...eventsBlock(base, 'base'), ...(ev ? eventsBlock(ev, 'head') : [])];
}
