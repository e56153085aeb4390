/**
 * Turns a kernel name (an IRQ handler such as `ahci[0000:00:17.0]` or `PCIe PME, pciehp`,
 * a softirq vector, an arch row) into one segment of a dotted metric name, so users can
 * write thresholds against it.
 *
 * Rule: letters, digits, `_`, `-` and `.` are kept as they are (so `virtio1-req.0` stays
 * `virtio1-req.0`, as the kernel names it); every other run of characters (spaces,
 * commas, colons, brackets, slashes) becomes one `_`; leading and trailing `_` and `.` are
 * dropped. Case is kept. Examples: `ACPI:Ged` -> `ACPI_Ged`, `PCIe PME, pciehp` ->
 * `PCIe_PME_pciehp`, `ahci[0000:00:17.0]` -> `ahci_0000_00_17.0`. An empty result
 * becomes `unnamed`.
 */
export function metricSegment(name: string): string {
  const s = name
    .replace(/[^A-Za-z0-9_.-]+/g, '_')
    .replace(/^[_.]+|[_.]+$/g, '');
  return s === '' ? 'unnamed' : s;
}
