import type { DoctorCheck } from './check.js';
import { KERNEL_PARTS, kernelAvailability } from '../collect/kernel/availability.js';
import type { MachineFacts } from '../environment/types.js';
import type { MemoryController } from '../kernel/cgroup-memory.js';

type Part = keyof typeof KERNEL_PARTS;

/** For each kernel part, the tracepoints this kernel lacks (read from tracefs by the command). */
export type MissingTracepoints = Record<Part, string[]>;

/**
 * One check per opt-in kernel part: whether it can run here. A part that cannot is a warning,
 * not a missing piece: no scenario has it on unless it asks for it. Pure.
 */
export function kernelPartChecks(facts: MachineFacts, missing: MissingTracepoints | null): DoctorCheck[] {
  // Without the tracepoint listing (no tracefs to read) the capture checks already say why.
  if (missing === null) return [];
  const base = kernelAvailability(facts);
  return (Object.keys(KERNEL_PARTS) as Part[]).map((part) => {
    const { key, metrics } = KERNEL_PARTS[part];
    const id = `kernel.${part}`;
    const lacks = missing[part];
    if (base.state === 'unavailable') return { id, ok: false, status: 'warning', detail: `${key}: ${base.reason}`, ...(base.fix !== undefined && { fix: base.fix }), disables: [...metrics] };
    if (lacks.length > 0) return { id, ok: false, status: 'warning', detail: `${key}: this kernel lacks tracepoint ${lacks.join(', ')}`, fix: 'a kernel built with these tracepoints', disables: [...metrics] };
    const how = part === 'runqueue' ? 'profile:hz:99 on the cpu-clock software event' : 'tracepoints present';
    return { id, ok: true, status: 'ok', detail: `${key} can run (${how}; opt-in)`, disables: [] };
  });
}

/**
 * Whether the repetition cgroups can have the memory controller (`mem.cgroup.*`, and the
 * workload's own major faults); without it those fall back to machine-wide vmstat. Pure.
 */
export function memoryControllerCheck(mc: MemoryController | null): DoctorCheck[] {
  if (mc === null) return [];
  if (mc.state === 'on') return [{ id: 'cgroup.memory', ok: true, status: 'ok', detail: 'cgroup v2 offers the memory controller: kdelta enables +memory above the repetition cgroups', disables: [] }];
  return [{ id: 'cgroup.memory', ok: false, status: 'warning', detail: `${mc.reason}: mem.cgroup.* are missing and mem.faults.major.count is machine-wide`, fix: mc.fix, disables: ['mem.cgroup.*'] }];
}
