import { styleText } from 'node:util';
import type { CheckStatus, DoctorReport } from './doctor.js';

const MARK: Record<CheckStatus, { plain: string; color: string; style: 'green' | 'red' | 'yellow' }> = {
  ok: { plain: 'ok', color: '✓', style: 'green' },
  missing: { plain: 'missing', color: '✗', style: 'red' },
  warning: { plain: 'warn', color: '!', style: 'yellow' },
};

/**
 * One whole line per check (`missing  tracefs     not mounted ... — disables ... — fix: ...`),
 * then a summary line. Words instead of symbols without colour, so CI logs grep well.
 */
export function formatDoctor(report: DoctorReport, opts: { color: boolean }): string {
  const idWidth = Math.max(...report.checks.map((c) => c.id.length));
  const markWidth = opts.color ? 1 : Math.max(...Object.values(MARK).map((m) => m.plain.length));
  const lines = report.checks.map((c) => {
    const mark = MARK[c.status];
    // The caller has already decided on colour (TTY, NO_COLOR); styleText must not second-guess it.
    const markText = opts.color ? styleText(mark.style, mark.color, { validateStream: false }) : mark.plain.padEnd(markWidth);
    const parts = [c.detail];
    if (c.disables.length > 0) parts.push(`disables ${c.disables.join(', ')}`);
    if (c.fix !== undefined && !c.ok) parts.push(`fix: ${c.fix}`);
    const id = opts.color ? styleText('bold', c.id.padEnd(idWidth), { validateStream: false }) : c.id.padEnd(idWidth);
    return `${markText}  ${id}  ${parts.join(' — ')}`;
  });
  const { missing: m, warning: w } = report.summary;
  const bpf = report.capture
    ? report.capture.backend === null
      ? `eBPF capture NOT usable (${report.capture.reason})`
      : `eBPF capture: ${report.capture.backend} (${report.capture.reason})`
    : report.facts.bpftrace.usable
      ? 'eBPF capture usable'
      : 'eBPF capture NOT usable';
  const tail =
    m === 0
      ? `${bpf}; every metric can be measured here${w > 0 ? ` (${w} warning${w === 1 ? '' : 's'} about noise)` : ''}.`
      : `${bpf}; ${m} missing, ${w} warning${w === 1 ? '' : 's'}; not measurable here: ${report.disabled.join(', ')}.`;
  return `${lines.join('\n')}\n${tail}\n`;
}
