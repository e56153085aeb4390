/** The JSON Schema of a Fingerprint: shared by the baseline and report schemas, inlined there so FromSchema needs no $ref. */
export const fingerprintSchema = {
  type: 'object',
  description: 'The machine class: runs are compared only within one.',
  additionalProperties: false,
  required: ['arch', 'cpuModel', 'cpuCount', 'numaNodes', 'smt', 'kernelRelease', 'governor', 'bpftraceVersion', 'irqAffinityDigest', 'nodeVersion'],
  properties: {
    arch: { type: 'string' },
    cpuModel: { type: 'string' },
    cpuCount: { type: 'integer', minimum: 0 },
    numaNodes: { type: 'integer', minimum: 0 },
    smt: { type: 'boolean' },
    kernelRelease: { type: 'string' },
    governor: { type: ['string', 'null'] },
    bpftraceVersion: { type: ['string', 'null'] },
    irqAffinityDigest: { type: 'string' },
    nodeVersion: { type: 'string' },
  },
} as const;
