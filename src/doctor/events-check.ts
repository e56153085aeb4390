import type { Availability } from '../collect/types.js';

/** A doctor check, as doctor.ts declares it (kept structural: doctor.ts imports this file). */
interface EventsCheck {
  id: string;
  ok: boolean;
  status: 'ok' | 'warning';
  detail: string;
  fix?: string;
  disables: string[];
}

/**
 * Whether slow-call events (`collect.ebpf.syscalls.events`) can run here. A warning when they
 * cannot: they are opt-in, so no scenario loses them unless it asks. Pure.
 */
export function eventsCheck(events: Availability | undefined): EventsCheck[] {
  if (!events) return [];
  if (events.state === 'ready') return [{ id: 'events', ok: true, status: 'ok', detail: `slow-call events can run (${events.detail ?? 'libbpf'}; opt-in)`, disables: [] }];
  return [{ id: 'events', ok: false, status: 'warning', detail: `slow-call events: ${events.reason}`, ...(events.fix !== undefined && { fix: events.fix }), disables: [] }];
}
