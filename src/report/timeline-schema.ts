/*
 * JSON Schemas of the time and CPU dimension of a scenario (src/run/timeline.ts), kept
 * apart from the rest of the report's schema because they describe arrays of arrays that
 * only the pictures in report.html read.
 */

/** A row as stored: cells >= 0, a negative -k standing for k zeros (see compact-grids.ts). */
const codedRow = { type: 'array', items: { type: 'number' } } as const;
const grid = { type: 'array', items: codedRow } as const;
const cpuList = { type: 'array', items: { type: 'integer', minimum: 0 } } as const;
const nodeList = { type: 'array', items: { type: 'integer', minimum: -1 } } as const;

export const cpuSeriesSchema = {
  type: 'array',
  description: 'Per counted repetition: per-CPU interrupt and softirq counts per interval; interval i runs from t[i] to t[i+1] seconds.',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['repetition', 't', 'cpus', 'nodes', 'irq', 'arch', 'softirq'],
    properties: {
      repetition: { type: 'integer', minimum: 1 },
      t: { type: 'array', items: { type: 'number' } },
      cpus: cpuList,
      nodes: nodeList,
      irq: grid,
      arch: grid,
      softirq: { type: 'object', additionalProperties: grid },
    },
  },
} as const;

export const timelineSchema = {
  type: 'array',
  description: 'Per counted repetition: on-CPU time and context switches per thread group, CPU and time slot (eBPF).',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['repetition', 'slotNs', 'slots', 'cpus', 'groups', 'readyDelayNs', 'lost'],
    properties: {
      repetition: { type: 'integer', minimum: 1 },
      slotNs: { type: 'number', exclusiveMinimum: 0 },
      slots: { type: 'integer', minimum: 0 },
      cpus: cpuList,
      nodes: nodeList,
      groups: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'switches'],
          description: 'On-CPU time per [cpu row][slot]: onCpuUs in whole µs as kdelta writes it, onCpuNs in older reports.',
          oneOf: [{ required: ['onCpuUs'] }, { required: ['onCpuNs'] }],
          properties: { name: { type: 'string' }, onCpuUs: grid, onCpuNs: grid, switches: grid },
        },
      },
      readyDelayNs: codedRow,
      lost: { type: 'integer', minimum: 0 },
    },
  },
} as const;
