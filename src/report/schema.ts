import type { FromSchema } from 'json-schema-to-ts';
import { fingerprintSchema } from '../environment/schema.js';
import { schemaValidator } from '../schema-validator.js';
import { cpuSeriesSchema, timelineSchema } from './timeline-schema.js';
import type { StoredReport } from './compact.js';
import type { Report } from './types.js';
import { availabilitySchema, metricSchema, nonNegativeInteger, numberOrNull, stringList, syscallEventsSchema, verdictSchema } from './schema-parts.js';

/*
 * The JSON Schema of report.json, written out as schemas/report.schema.json by
 * scripts/write-schemas.mjs. Sub-schemas are inlined rather than $ref'd so the TypeScript
 * type derived from the constant needs no reference resolution.
 *
 * JSON has no NaN or Infinity. A summary of an empty series (a percentile of a
 * repetition where nothing happened) and a relative change against a zero baseline median
 * are not numbers; JSON.stringify writes them as null, and the schema allows null exactly
 * there (`numberOrNull`). Samples, histograms and IRQ counts are always finite: a null
 * there fails validation, which is a kdelta bug.
 */

const scenarioSchema = {
  type: 'object',
  additionalProperties: false,
  required: [
    'name',
    'description',
    'file',
    'status',
    'repetitions',
    'warmup',
    'isolation',
    'collectors',
    'lost',
    'failure',
    'baseline',
    'metrics',
    'limits',
    'irqTable',
  ],
  properties: {
    name: { type: 'string' },
    description: { type: 'string' },
    file: { type: 'string' },
    status: { enum: ['pass', 'regression', 'error'] },
    repetitions: nonNegativeInteger,
    warmup: nonNegativeInteger,
    isolation: {
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'path'],
          properties: { kind: { const: 'cgroup' }, path: { type: 'string' } },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['kind', 'reason'],
          properties: { kind: { enum: ['pid', 'none'] }, reason: { type: 'string' } },
        },
      ],
    },
    collectors: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'enabled', 'availability', 'notes'],
        properties: {
          name: { enum: ['proc', 'ebpf', 'kernel', 'events'] },
          enabled: { type: 'boolean' },
          availability: availabilitySchema,
          notes: stringList,
        },
      },
    },
    lost: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['repetition', 'collector', 'what'],
        properties: {
          repetition: nonNegativeInteger,
          collector: { enum: ['proc', 'ebpf', 'kernel', 'events'] },
          what: { type: 'string' },
        },
      },
    },
    failure: {
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['repetition', 'kind', 'exitCode', 'signal', 'message', 'stderrTail'],
          properties: {
            repetition: nonNegativeInteger,
            kind: { type: 'string' },
            exitCode: { type: ['integer', 'null'] },
            signal: { type: ['string', 'null'] },
            message: { type: 'string' },
            stderrTail: { type: 'string' },
          },
        },
        { type: 'null' },
      ],
    },
    baseline: {
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['path', 'machine', 'recordedAt', 'mismatch', 'stale'],
          properties: {
            path: { type: 'string' },
            machine: { type: 'string' },
            recordedAt: { type: 'string' },
            mismatch: stringList,
            stale: { type: 'boolean' },
          },
        },
        { type: 'null' },
      ],
    },
    baselineSamples: {
      type: 'object',
      description: "Older reports only: the baseline's samples per metric name (metrics[].baseline is then {}).",
      additionalProperties: { type: 'array', items: { type: 'number' } },
    },
    metricDefaults: {
      type: 'object',
      description: "The unit and source most of the scenario's metrics share; a metric that leaves either out has this one. Absent in older reports (a missing source is then null).",
      additionalProperties: false,
      properties: { unit: { type: 'string' }, source: { type: 'string' } },
    },
    metrics: { type: 'array', items: metricSchema },
    limits: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['text', 'metric', 'verdict'],
        properties: { text: { type: 'string' }, metric: { type: 'string' }, verdict: verdictSchema },
      },
    },
    cpuSeries: cpuSeriesSchema,
    timeline: timelineSchema,
    baseSide: {
      type: 'object',
      description: "kdelta ab: the base side's per-CPU series, timeline and slow-call events (cpuSeries, timeline and syscallEvents are the head side's).",
      additionalProperties: false,
      properties: { cpuSeries: cpuSeriesSchema, timeline: timelineSchema, syscallEvents: syscallEventsSchema },
    },
    syscallEvents: syscallEventsSchema,
    explanations: {
      type: 'array',
      description: 'For each regression or improvement, the other metrics that moved beyond their own noise (BH), never gating.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['metric', 'status', 'text', 'considered', 'related'],
        properties: {
          metric: { type: 'string' },
          status: { enum: ['regression', 'improvement'] },
          text: { type: 'string' },
          considered: nonNegativeInteger,
          related: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['name', 'unit', 'ratio', 'absolute', 'pValue', 'adjustedP'],
              properties: { name: { type: 'string' }, unit: { type: 'string' }, ratio: numberOrNull, absolute: numberOrNull, pValue: { type: 'number' }, adjustedP: { type: 'number' } },
            },
          },
        },
      },
    },
    irqTable: {
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['nodes', 'rows', 'perCpu'],
          properties: {
            nodes: { type: 'array', items: nonNegativeInteger },
            rows: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['irq', 'name', 'total', 'perNode'],
                properties: {
                  irq: { type: 'string' },
                  name: { type: 'string' },
                  total: { type: 'number', minimum: 0 },
                  perNode: { type: 'array', items: { type: 'number', minimum: 0 } },
                },
              },
            },
            perCpu: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['cpu', 'node', 'total'],
                properties: { cpu: nonNegativeInteger, node: nonNegativeInteger, total: { type: 'number', minimum: 0 } },
              },
            },
          },
        },
        { type: 'null' },
      ],
    },
  },
} as const;

export const reportSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://kdelta.dev/schemas/report.schema.json',
  title: 'kdelta report',
  description: 'One run of kdelta: environment, scenarios, metrics, verdicts and overall status.',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'runId', 'startedAt', 'endedAt', 'kdeltaVersion', 'environment', 'status', 'family', 'scenarios'],
  properties: {
    schemaVersion: { const: 1 },
    runId: { type: 'string', minLength: 1 },
    startedAt: { type: 'string', format: 'date-time' },
    endedAt: { type: 'string', format: 'date-time' },
    kdeltaVersion: { type: 'string' },
    environment: fingerprintSchema,
    status: { enum: ['pass', 'regression', 'error'] },
    family: {
      type: 'object',
      additionalProperties: false,
      required: ['size', 'correction'],
      properties: { size: nonNegativeInteger, correction: { enum: ['holm', 'bh', 'none'] } },
    },
    scenarios: { type: 'array', items: scenarioSchema },
    ab: {
      type: 'object',
      description: 'kdelta ab: the two sides, the rounds design, and the order the sides ran in every round (replayable from the seed).',
      additionalProperties: false,
      required: ['seed', 'rounds', 'test', 'sides', 'scenarios'],
      properties: {
        seed: nonNegativeInteger,
        rounds: { type: 'object', additionalProperties: false, required: ['min', 'max'], properties: { min: nonNegativeInteger, max: nonNegativeInteger } },
        test: { enum: ['signed-rank', 'bootstrap'] },
        sides: {
          type: 'object',
          additionalProperties: false,
          required: ['base', 'head'],
          properties: Object.fromEntries(
            (['base', 'head'] as const).map((k) => [k, { type: 'object', additionalProperties: false, required: ['dir', 'env'], properties: { dir: { type: 'string' }, env: { type: 'object', additionalProperties: { type: 'string' } } } }]),
          ) as Record<'base' | 'head', { type: 'object'; additionalProperties: false; required: ['dir', 'env']; properties: { dir: { type: 'string' }; env: { type: 'object'; additionalProperties: { type: 'string' } } } }>,
        },
        scenarios: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'state', 'rounds', 'order'],
            properties: {
              name: { type: 'string' },
              state: { enum: ['paired', 'new', 'removed'] },
              rounds: nonNegativeInteger,
              order: { type: 'array', items: { type: 'array', items: { enum: ['base', 'head'] } } },
            },
          },
        },
      },
    },
  },
} as const;

/** report.json as the schema describes it (numbers that were NaN/Infinity in memory are null). */
export type ReportJson = FromSchema<typeof reportSchema>;

// Compile-time drift check: every in-memory Report must be writable as a ReportJson. A field
// added to the Report type but not to the schema fails here, not in a user's CI.
type Assert<T extends true> = T;
export type _ReportFitsSchema = Assert<Report extends ReportJson ? true : false>;
export type _StoredReportFitsSchema = Assert<StoredReport extends ReportJson ? true : false>;

const checkReport = schemaValidator<ReportJson>(reportSchema);

export type ReportValidation = { ok: true; report: ReportJson } | { ok: false; errors: string[] };

/** Validates a parsed report.json (or anything) against the report schema; errors as `path: message`. */
export function validateReport(obj: unknown): ReportValidation {
  const check = checkReport(obj);
  return check.ok ? { ok: true, report: check.value } : check;
}
