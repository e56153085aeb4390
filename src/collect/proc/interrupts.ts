import { diffCpuCounters, leadingCounts, parseCpuHeader, type CpuCounterDelta, type CpuCounterRow, type CpuCounterTable } from './counters.js';

/** One row of /proc/interrupts. */
export interface InterruptRow extends CpuCounterRow {
  /** As printed before the colon: `36` for a numbered IRQ; `LOC`, `NMI`, `IPI0`, `ERR`, `Err` for architecture rows. */
  id: string;
  kind: 'numbered' | 'arch';
  /** Numbered rows: the irq chip and hardware irq as printed (`IO-APIC 5`, `PCI-MSIX-0000:00:02.0 1`, `GICv3 30`); arch rows: ''. */
  chip: string;
  /** Numbered rows: the trigger token (`5-edge`, `Level`, `IO-APIC-edge` on old kernels); arch rows: ''. */
  trigger: string;
  /**
   * Numbered rows: every handler on the line as printed (`PCIe PME, pciehp`), '' for an IRQ
   * with no handler; arch rows: the description (`Local timer interrupts`).
   */
  name: string;
  /** Numbered rows: the handlers sharing the line (`['PCIe PME', 'pciehp']`). */
  handlers: string[];
}

export type InterruptTable = CpuCounterTable<InterruptRow>;
export type InterruptDelta = CpuCounterDelta<InterruptRow>;

/**
 * The trigger token comes between the chip/hwirq and the handler names: `5-edge`,
 * `1572864-edge`, `IO-APIC-fasteoi` (x86, flow handler name after a dash; Xen `-virq`,
 * `-ioapic-level`) or a bare `Edge` / `Level` (CONFIG_GENERIC_IRQ_SHOW_LEVEL: arm64, ...).
 * Everything after it is the handler names, which may hold spaces and commas.
 */
const TRIGGER = /^(?:Edge|Level|\S*-(?:edge|level|fasteoi|simple|percpu|percpu_devid|edge_eoi|eoi|virq|ipi|nested|bad|none))$/i;

/**
 * Parses /proc/interrupts. Columns are the CPUs named in the header, which lists online CPUs
 * only; rows are whatever the kernel prints (never a hard-coded set). Lines that are not
 * `<id>: <counts>` are ignored. A row with fewer counts than columns (ERR, MIS) is a
 * one-column row with `perCpu: null`.
 */
export function parseInterrupts(text: string): InterruptTable {
  const lines = text.split('\n');
  const headerAt = lines.findIndex((l) => /CPU\d+/.test(l) && !l.includes(':'));
  const cpus = headerAt >= 0 ? parseCpuHeader(lines[headerAt]!) : [];
  const rows: InterruptRow[] = [];
  for (const line of lines.slice(headerAt + 1)) {
    const m = /^\s*([^\s:]+):(.*)$/.exec(line);
    if (!m) continue;
    const id = m[1]!;
    const { counts, rest } = leadingCounts(m[2]!, Math.max(cpus.length, 1));
    if (counts.length === 0) continue;
    const full = counts.length === cpus.length;
    const perCpu = full ? counts : null;
    const total = counts.reduce((a, b) => a + b, 0);
    if (/^\d+$/.test(id)) {
      rows.push({ key: '', id, kind: 'numbered', perCpu, total, ...splitHandlerText(rest) });
    } else {
      rows.push({ key: id, id, kind: 'arch', perCpu, total, chip: '', trigger: '', name: rest.trim(), handlers: [] });
    }
  }
  for (const row of rows) if (row.kind === 'numbered') row.key = interruptRowKey(row);
  return { cpus, rows };
}

/**
 * A numbered row is matched across snapshots by number and handler name together: an IRQ
 * number given to another device between two snapshots is a row that vanished and one that
 * appeared, not one counter going backwards.
 */
export function interruptRowKey(row: Pick<InterruptRow, 'id' | 'name'>): string {
  return `${row.id} ${row.name}`;
}

function splitHandlerText(rest: string): Pick<InterruptRow, 'chip' | 'trigger' | 'name' | 'handlers'> {
  for (const tok of rest.matchAll(/\S+/g)) {
    if (!TRIGGER.test(tok[0])) continue;
    const name = rest.slice(tok.index + tok[0].length).trim();
    return {
      chip: rest.slice(0, tok.index).trim().replace(/\s+/g, ' '),
      trigger: tok[0],
      name,
      handlers: name === '' ? [] : name.split(', '),
    };
  }
  // Unknown trigger format: the kernel separates the handler names from what precedes them
  // with at least two spaces, so the last such gap is the best guess.
  const gap = /^(.*\S)\s{2,}(\S.*)$/.exec(rest.trim());
  const name = gap ? gap[2]! : '';
  return { chip: gap ? gap[1]!.replace(/\s+/g, ' ') : rest.trim(), trigger: '', name, handlers: name === '' ? [] : name.split(', ') };
}

/** The increase of every interrupt counter between two snapshots (rows that appear or vanish, CPU hotplug and 32-bit wrap handled as in diffCpuCounters). */
export function diffInterrupts(before: InterruptTable, after: InterruptTable): InterruptDelta {
  return diffCpuCounters(before, after);
}
