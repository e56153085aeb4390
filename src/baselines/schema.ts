import type { FromSchema } from 'json-schema-to-ts';
import { fingerprintSchema } from '../environment/schema.js';
import { schemaValidator } from '../schema-validator.js';
import type { Baseline } from './types.js';

/*
 * The JSON Schema of a baseline file (baselines/<machine>/<scenario>.json), written out as
 * schemas/baseline.schema.json by scripts/write-schemas.mjs. The fingerprint is inlined, as
 * in the report schema, so FromSchema needs no $ref resolution.
 */


export const baselineSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://kdelta.dev/schemas/baseline.schema.json',
  title: 'kdelta baseline',
  description: 'Per scenario and machine class: the samples a run is compared with, where they were recorded and why.',
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'scenario', 'workloadHash', 'machine', 'metrics', 'environment', 'provenance'],
  properties: {
    schemaVersion: { const: 1 },
    scenario: { type: 'string', minLength: 1 },
    workloadHash: {
      type: 'string',
      pattern: '^[0-9a-f]{64}$',
      description: 'sha256 of the normalized workload definition: a changed workload makes the baseline stale.',
    },
    machine: { type: 'string', minLength: 1, description: 'The machine class: --machine, KDELTA_MACHINE or a slug of the fingerprint.' },
    metrics: {
      type: 'object',
      description: 'Metric name -> one sample per counted repetition.',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['unit', 'better', 'samples'],
        properties: {
          unit: { type: 'string' },
          better: { enum: ['lower', 'higher'] },
          samples: { type: 'array', items: { type: 'number' }, minItems: 1 },
        },
      },
    },
    environment: fingerprintSchema,
    provenance: {
      type: 'object',
      additionalProperties: false,
      required: ['commit', 'time', 'reason', 'kdeltaVersion'],
      properties: {
        commit: { type: ['string', 'null'], description: 'Git commit of the code under test, when known.' },
        time: { type: 'string', format: 'date-time' },
        reason: { type: 'string', description: 'Why this baseline was recorded (--reason).' },
        kdeltaVersion: { type: 'string' },
      },
    },
  },
} as const;

export type BaselineJson = FromSchema<typeof baselineSchema>;

// Compile-time drift check, both ways: the type and the schema describe the same files.
type Assert<T extends true> = T;
export type _BaselineFitsSchema = Assert<Baseline extends BaselineJson ? true : false>;
export type _SchemaFitsBaseline = Assert<BaselineJson extends Baseline ? true : false>;

const checkBaseline = schemaValidator<Baseline>(baselineSchema);

export type BaselineValidation = { ok: true; baseline: Baseline } | { ok: false; errors: string[] };

/** Validates parsed JSON against the baseline schema; errors as `/json/pointer: message`. */
export function validateBaseline(obj: unknown): BaselineValidation {
  const check = checkBaseline(obj);
  return check.ok ? { ok: true, baseline: check.value } : check;
}
