import type { CollectorKind, CollectorName } from '../run/types.js';
import { eventsCollector } from './bpf/events-kind.js';
import { ebpfCollector } from './ebpf/kind.js';
import { kernelCollector } from './kernel/kind.js';
import { procCollector } from './proc/kind.js';

/**
 * Every collector kdelta has, in the order they start: eBPF first, because whether it really
 * started decides who owns `sched.ready_delay.total`. A new capture is one more entry here.
 */
export const COLLECTORS: readonly CollectorKind[] = [ebpfCollector, procCollector, kernelCollector, eventsCollector];

function patternRegex(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

const PROVIDES = new Map(COLLECTORS.map((k) => [k.name, k.provides.map(patternRegex)]));

/** Whether the named collector provides this metric, by the patterns it declares. */
export function collectorProvides(collector: CollectorName, metric: string): boolean {
  return (PROVIDES.get(collector) ?? []).some((re) => re.test(metric));
}
