/** irqstat's headline view: top IRQs with their count per NUMA node, summed over the counted repetitions. */
export interface IrqTable {
  nodes: number[];
  rows: Array<{ irq: string; name: string; total: number; perNode: number[] }>;
  perCpu: Array<{ cpu: number; node: number; total: number }>;
}
