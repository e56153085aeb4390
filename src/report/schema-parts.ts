/*
 * The parts of report.json's schema below a scenario: summaries, histograms, verdicts,
 * collector availability and metrics. Written inline (no $ref) so the TypeScript type
 * derived from the whole schema needs no reference resolution.
 */

export const numberOrNull = { type: ['number', 'null'] } as const;
export const nonNegativeInteger = { type: 'integer', minimum: 0 } as const;
export const stringList = { type: 'array', items: { type: 'string' } } as const;

export const summarySchema = {
  type: 'object',
  description: 'Summary of the samples; every field is null when the series is empty.',
  additionalProperties: false,
  required: ['median', 'mean', 'min', 'max', 'stddev'],
  properties: {
    median: numberOrNull,
    mean: numberOrNull,
    min: numberOrNull,
    max: numberOrNull,
    stddev: numberOrNull,
  },
} as const;

const bucketListSchema = {
  type: 'object',
  description: 'Log-linear histogram: only non-empty buckets, sorted by lo; hi is exclusive.',
  additionalProperties: false,
  required: ['unit', 'subBuckets', 'buckets'],
  properties: {
    unit: { type: 'string' },
    subBuckets: { type: 'integer', minimum: 1 },
    buckets: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['lo', 'hi', 'count'],
        properties: { lo: { type: 'number' }, hi: { type: 'number' }, count: nonNegativeInteger },
      },
    },
  },
} as const;

/** What kdelta writes: the buckets as three parallel arrays (a fraction of the size of one object per bucket). */
const bucketArraysSchema = {
  type: 'object',
  description:
    'Log-linear histogram: only non-empty buckets, sorted by lo, as parallel arrays; bucket i is [lo[i], hi[i]) with count[i] events. hi is absent when every bucket is the standard one of its lo (8 sub-buckets: below 8 a value is its own bucket, above it [lo, lo + 2^(floor(log2 lo) - 3))).',
  additionalProperties: false,
  required: ['unit', 'subBuckets', 'lo', 'count'],
  properties: {
    unit: { type: 'string' },
    subBuckets: { type: 'integer', minimum: 1 },
    lo: { type: 'array', items: { type: 'number' } },
    hi: { type: 'array', items: { type: 'number' } },
    count: { type: 'array', items: nonNegativeInteger },
  },
} as const;

/** Reports written before the compact form have bucket objects; both are read. */
export const histogramSchema = { oneOf: [bucketArraysSchema, bucketListSchema] } as const;

export const ciSchema = {
  type: 'array',
  description: 'Confidence interval of the relative change; a bound is null when it is not a number.',
  items: numberOrNull,
  minItems: 2,
  maxItems: 2,
} as const;

export const verdictSchema = {
  description: 'Outcome for one gated metric or limit (DESIGN.md, Verdict).',
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['status', 'change', 'ci', 'pValue', 'adjustedP', 'mde', 'message'],
      properties: {
        status: { enum: ['pass', 'regression', 'improvement'] },
        change: { ...numberOrNull, description: 'Relative change of the median, current vs baseline (+0.05 = 5% higher).' },
        ci: ciSchema,
        pValue: numberOrNull,
        adjustedP: numberOrNull,
        mde: { ...numberOrNull, description: 'Minimum detectable effect (relative).' },
        message: { type: 'string' },
        warning: { type: 'string' },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['status', 'change', 'ci', 'pValue', 'adjustedP', 'mde', 'neededRepetitions', 'message'],
      properties: {
        status: { const: 'inconclusive' },
        change: numberOrNull,
        ci: ciSchema,
        pValue: numberOrNull,
        adjustedP: numberOrNull,
        mde: numberOrNull,
        neededRepetitions: nonNegativeInteger,
        message: { type: 'string' },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['status', 'value', 'limit', 'message'],
      properties: {
        status: { const: 'limit-exceeded' },
        value: numberOrNull,
        limit: { type: 'string' },
        message: { type: 'string' },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['status', 'message'],
      properties: {
        status: { enum: ['no-baseline', 'unavailable'] },
        message: { type: 'string' },
      },
    },
  ],
} as const;

export const availabilitySchema = {
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['state'],
      properties: { state: { const: 'ready' }, detail: { type: 'string' } },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['state', 'reason', 'disables'],
      properties: {
        state: { const: 'unavailable' },
        reason: { type: 'string' },
        fix: { type: 'string' },
        disables: stringList,
      },
    },
  ],
} as const;

export const metricSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'samples'],
  description:
    "As kdelta writes it, a field at its usual value is absent: unit and source (the scenario's metricDefaults, else unit '1' and source null), better (lower), histogram and verdict (null), baseline (none), gated (false); summary is recomputed from the samples on reading. Older reports have every field.",
  properties: {
    name: { type: 'string' },
    unit: { type: 'string' },
    better: { enum: ['lower', 'higher'], description: 'Absent: lower is better.' },
    samples: { type: 'array', description: 'One value per counted repetition.', items: { type: 'number' } },
    summary: summarySchema,
    histogram: { oneOf: [histogramSchema, { type: 'null' }] },
    source: { type: ['string', 'null'] },
    baseline: {
      oneOf: [
        { type: 'array', description: "The baseline's samples (the base side's in an A/B report).", items: { type: 'number' } },
        {
          type: 'object',
          additionalProperties: false,
          description: "Older reports: the samples and summary, or neither (the scenario's baselineSamples has the samples).",
          properties: { samples: { type: 'array', items: { type: 'number' } }, summary: summarySchema },
        },
        { type: 'null' },
      ],
    },
    gated: { type: 'boolean' },
    tolerance: { type: 'number', description: 'Relative tolerance the metric was gated with (0.03 = 3%).' },
    verdict: { oneOf: [verdictSchema, { type: 'null' }] },
  },
} as const;

const slowCallSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['t', 'pid', 'tid', 'comm', 'syscall', 'nr', 'durationNs', 'ret', 'user', 'kernel'],
  properties: {
    t: { type: 'number', description: "ns from the repetition's start to the call's entry." },
    pid: nonNegativeInteger,
    tid: nonNegativeInteger,
    comm: { type: 'string', description: "The thread's name (anyone's bytes)." },
    syscall: { type: 'string' },
    nr: nonNegativeInteger,
    durationNs: { type: 'number', minimum: 0 },
    ret: { type: 'number', description: "The call's return value (negative: -errno)." },
    user: { ...stringList, description: 'User stack, innermost first: symbol+0xOFF (file), or the bare hex address.' },
    kernel: { ...stringList, description: 'Kernel stack, innermost first: symbol+0xOFF, or the bare hex address.' },
  },
} as const;

/** collect.ebpf.syscalls.events: each call over the threshold, per counted repetition. */
export const syscallEventsSchema = {
  type: 'object',
  description: 'Slow system calls with their stacks, at most `max` per repetition; `dropped` counts the rest exactly.',
  additionalProperties: false,
  required: ['overNs', 'max', 'stacks', 'repetitions'],
  properties: {
    overNs: { type: 'number', minimum: 0 },
    max: { type: 'integer', minimum: 1 },
    stacks: { type: 'boolean' },
    repetitions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['repetition', 'seen', 'dropped', 'lost', 'events'],
        properties: {
          repetition: { type: 'integer', minimum: 1 },
          seen: nonNegativeInteger,
          dropped: nonNegativeInteger,
          lost: nonNegativeInteger,
          events: { type: 'array', items: slowCallSchema },
        },
      },
    },
  },
} as const;
