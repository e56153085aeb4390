import type { SlowCall, SlowCallEvents } from '../../run/syscall-events.js';
import { formatCount, formatValue } from '../format.js';
import type { ScenarioReport } from '../types.js';
import { esc } from './escape.js';

/** Rows per side: the slowest calls over every repetition; report.json keeps them all. */
export const EVENT_ROWS = 25;
/** Frames per stack: deep enough for any workload's own functions, bounded so a page of events stays small. */
export const EVENT_FRAMES = 32;

/** One stack as a list, innermost first; frames are symbols from the workload's files, anyone's bytes. */
function stackList(title: string, frames: readonly string[]): string {
  if (frames.length === 0) return `<p class="muted">${esc(`${title}: none`)}</p>`;
  const shown = frames.slice(0, EVENT_FRAMES).map((f) => `<li>${esc(f)}</li>`).join('');
  const more = frames.length > EVENT_FRAMES ? `<li class="muted">${esc(`… ${frames.length - EVENT_FRAMES} more frames in report.json`)}</li>` : '';
  return `<h5>${esc(title)}</h5><ol class="stack">${shown}${more}</ol>`;
}

/** Frames named in a stack's summary: past libc's syscall wrapper, the workload's own function is usually the second or third. */
const SUMMARY_FRAMES = 3;

/** The stacks of one call behind a `<details>`, its summary the innermost user frames. */
function stacksCell(e: SlowCall): string {
  if (e.user.length === 0 && e.kernel.length === 0) return '<span class="muted">no stacks</span>';
  const top = (e.user.length ? e.user : e.kernel).slice(0, SUMMARY_FRAMES).join(' ← ');
  const summary = `${top} (user ${e.user.length}, kernel ${e.kernel.length} frames)`;
  return `<details class="stacks"><summary>${esc(summary)}</summary>${stackList('User stack', e.user)}${stackList('Kernel stack', e.kernel)}</details>`;
}

function row(repetition: number, e: SlowCall): string {
  const cells = [
    esc(String(repetition)),
    esc(formatValue(e.t, 'ns')),
    `${esc(e.comm)} <span class="muted">${esc(`(${e.pid}/${e.tid})`)}</span>`,
    esc(e.syscall),
    esc(formatValue(e.durationNs, 'ns')),
    stacksCell(e),
  ];
  return `<tr data-event>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

/** One side's list: the threshold and the counts (dropped past max, lost), then the slowest calls. */
function sideEvents(ev: SlowCallEvents, side: string | null): string {
  const sum = (k: 'seen' | 'dropped' | 'lost'): number => ev.repetitions.reduce((n, r) => n + r[k], 0);
  const unit = side ? 'round' : 'repetition';
  const lost = sum('lost') > 0 ? `, ${formatCount(sum('lost'))} lost (ring buffer full)` : '';
  const counts = `Over ${formatValue(ev.overNs, 'ns')}: ${formatCount(sum('seen'))} calls in ${formatCount(ev.repetitions.length)} ${unit}${ev.repetitions.length === 1 ? '' : 's'}, ${formatCount(sum('dropped'))} dropped past max ${formatCount(ev.max)} per ${unit}${lost}.`;
  const title = side ? `<h4 class="side">${esc(`${side} side`)}</h4>` : '';
  const all = ev.repetitions.flatMap((r) => r.events.map((e) => ({ repetition: r.repetition, e })));
  if (all.length === 0) return `${title}<p class="muted">${esc(`${counts} ${ev.repetitions.length === 0 ? 'Not captured.' : 'No call was slower than the threshold.'}`)}</p>`;
  const slowest = all.sort((a, b) => b.e.durationNs - a.e.durationNs).slice(0, EVENT_ROWS);
  const head = [side ? 'Round' : 'Rep', 'At', 'Thread (pid/tid)', 'Syscall', 'Duration', 'Stacks'].map((h) => `<th scope="col">${esc(h)}</th>`).join('');
  const more = all.length > EVENT_ROWS ? `<p class="muted">${esc(`${formatCount(all.length - EVENT_ROWS)} more in report.json.`)}</p>` : '';
  return `${title}<p>${esc(counts)}</p><table class="events" data-side="${esc(side ?? 'run')}"><thead><tr>${head}</tr></thead><tbody>${slowest.map(({ repetition, e }) => row(repetition, e)).join('')}</tbody></table>${more}`;
}

/**
 * report.html's slowest system calls of a scenario (`collect.ebpf.syscalls.events`), slowest
 * first, each call's symbolized stacks folded away; in an A/B report the base side's, then the
 * head side's. Empty when the scenario did not ask for events.
 */
export function slowCallsHtml(s: ScenarioReport): string {
  const base = s.baseSide?.syscallEvents;
  const own = s.syscallEvents;
  const sides = base ? [sideEvents(base, 'base'), own ? sideEvents(own, 'head') : ''] : own ? [sideEvents(own, null)] : [];
  return sides.length ? ['<h3>Slowest system calls</h3>', ...sides].filter(Boolean).join('\n') : '';
}
