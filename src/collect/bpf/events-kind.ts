import type { CollectorKind } from '../../run/types.js';
import { createEventsSession, EVENTS_METRICS, eventsAvailability } from './events-session.js';

/**
 * Slow system calls as events (`collect.ebpf.syscalls.events`): a BPF object and loader of
 * their own, so the main capture is unchanged when a scenario does not ask for them.
 */
export const eventsCollector: CollectorKind = {
  name: 'events',
  provides: EVENTS_METRICS,
  availability: eventsAvailability,
  withoutCgroups: 'slow-call events are filtered on the repetition cgroup, and there is none',
  create(spec, facts) {
    if (!spec.events) throw new Error('collect.ebpf.syscalls.events is off in this scenario');
    return createEventsSession(spec.events, facts);
  },
};
