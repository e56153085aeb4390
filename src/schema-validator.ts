import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

export type SchemaCheck<T> = { ok: true; value: T } | { ok: false; errors: string[] };

function describe(e: ErrorObject): string {
  const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: unknown }).additionalProperty)})` : '';
  return `${e.instancePath || '/'}: ${e.message ?? 'invalid'}${extra}`;
}

let shared: Ajv2020 | undefined;

/**
 * The one Ajv every schema of ours compiles on, made on first use (compiling costs more than
 * most runs validate). `verbose` keeps the failing value and schema in each error, which the
 * scenario loader turns into messages with positions.
 */
function ajv(): Ajv2020 {
  if (!shared) {
    // strictRequired off: `oneOf: [{ required: [a] }, { required: [b] }]` (exactly one of the
    // mapping's own keys) names keys its branches do not define, by design.
    shared = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false });
    addFormats(shared);
  }
  return shared;
}

/** A validator for one of our 2020-12 schemas, compiled on first use. Errors come as `/json/pointer: message`. */
export function schemaValidator<T>(schema: object): (obj: unknown) => SchemaCheck<T> {
  const check = schemaErrors(schema);
  return (obj) => {
    const errors = check(obj);
    return errors.length === 0 ? { ok: true, value: obj as T } : { ok: false, errors: errors.map(describe) };
  };
}

/** ajv's own errors for `obj` against a 2020-12 schema (none when it is valid), for callers that write their own messages. */
export function schemaErrors(schema: object): (obj: unknown) => ErrorObject[] {
  let compiled: ReturnType<Ajv2020['compile']> | undefined;
  return (obj) => {
    compiled ??= ajv().compile(schema);
    return compiled(obj) ? [] : [...(compiled.errors ?? [])];
  };
}
