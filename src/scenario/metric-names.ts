import { RE2JS } from 're2js';
import { closestMatch } from './suggest.js';

/** The first segment of every metric name kdelta emits: one per source of numbers (workload, scheduler, syscalls, IRQs, softirqs, whole system). */
export const METRIC_AREAS = ['workload', 'sched', 'syscall', 'irq', 'softirq', 'system'] as const;

/**
 * Checks a metric name or `*` pattern as written in `gate.metrics` or a limit. Returns what is
 * wrong, or null. Segments may hold anything a thread or IRQ name holds except whitespace and
 * dots, because `sched.ready_delay.thread.<group>` and `irq.hard.<irqname>` carry kernel names.
 */
export function metricPatternProblem(pattern: string): string | null {
  if (pattern.length === 0) return 'a metric name cannot be empty';
  if (/\s/u.test(pattern)) return `metric name "${pattern}" contains whitespace`;
  const segments = pattern.split('.');
  if (segments.some((s) => s.length === 0)) {
    return `metric name "${pattern}" has an empty segment: names are dotted, like sched.ready_delay.p99`;
  }
  const area = segments[0] ?? '';
  if (area.includes('*')) {
    const re = metricPatternRegExp(area);
    if (!METRIC_AREAS.some((a) => re.test(a))) return `metric pattern "${pattern}" matches no metric area (${METRIC_AREAS.join(', ')})`;
    return null;
  }
  if (!(METRIC_AREAS as readonly string[]).includes(area)) {
    const hint = closestMatch(area, METRIC_AREAS);
    return `metric name "${pattern}" starts with unknown area "${area}"${hint ? ` (did you mean "${hint}"?)` : ''}: use one of ${METRIC_AREAS.join(', ')}`;
  }
  if (segments.length < 2) return `metric name "${pattern}" names only an area: add the metric, e.g. ${area}.*`;
  return null;
}

export interface MetricPatternMatcher {
  /** Whether the whole name matches. */
  test(name: string): boolean;
}

/**
 * `sched.ready_delay.*` -> a matcher of whole names; `*` matches any run of characters, dots
 * included. RE2, not RegExp: `*a*a*a*a*a*a*b` backtracks for hours in the JS engine against a
 * 60-character thread name, and RE2 takes time linear in the name whatever the pattern.
 */
export function metricPatternRegExp(pattern: string): MetricPatternMatcher {
  const body = pattern
    .split('*')
    .map((part) => RE2JS.quote(part))
    .join('.*');
  const re = RE2JS.compile(`^(?:${body})$`, RE2JS.DOTALL);
  return { test: (name) => re.matches(name) };
}
