import type { DoctorCheck } from './check.js';

const WINDOW_METRICS = ['window.count', 'window.duration.*'];

/** The doctor check for trigger windows on uprobes and USDT probes (both attach as uprobes). Pure. */
export function uprobeCheck(probe: { ok: boolean; detail: string } | null): DoctorCheck {
  if (probe === null) return { id: 'uprobes', ok: false, status: 'warning', detail: 'not checked: the libbpf loader is not built', fix: 'npm run build:helpers', disables: [] };
  if (probe.ok) return { id: 'uprobes', ok: true, status: 'ok', detail: `${probe.detail}: collect.ebpf.window can use usdt, uprobe and uretprobe probes`, disables: [] };
  return {
    id: 'uprobes',
    ok: false,
    status: 'warning',
    detail: `${probe.detail}: collect.ebpf.window can use tracepoint probes only`,
    fix: 'a kernel with CONFIG_UPROBE_EVENTS=y, and kdelta run as root',
    disables: WINDOW_METRICS,
  };
}
