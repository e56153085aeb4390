import type { DoctorCheck } from './check.js';
import type { Availability } from '../collect/types.js';

/**
 * Whether slow-call events (`collect.ebpf.syscalls.events`) can run here. A warning when they
 * cannot: they are opt-in, so no scenario loses them unless it asks. Pure.
 */
export function eventsCheck(events: Availability | undefined): DoctorCheck[] {
  if (!events) return [];
  if (events.state === 'ready') return [{ id: 'events', ok: true, status: 'ok', detail: `slow-call events can run (${events.detail ?? 'libbpf'}; opt-in)`, disables: [] }];
  return [{ id: 'events', ok: false, status: 'warning', detail: `slow-call events: ${events.reason}`, ...(events.fix !== undefined && { fix: events.fix }), disables: [] }];
}
