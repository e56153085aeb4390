import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => Ajv2020;

export type SchemaCheck<T> = { ok: true; value: T } | { ok: false; errors: string[] };

function describe(e: ErrorObject): string {
  const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: unknown }).additionalProperty)})` : '';
  return `${e.instancePath || '/'}: ${e.message ?? 'invalid'}${extra}`;
}

/**
 * A validator for one of our 2020-12 schemas, compiled on first use (compiling costs more
 * than most runs validate). Errors come as `/json/pointer: message`.
 */
export function schemaValidator<T>(schema: object): (obj: unknown) => SchemaCheck<T> {
  let compiled: ReturnType<Ajv2020['compile']> | undefined;
  return (obj) => {
    if (!compiled) {
      const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
      addFormats(ajv);
      compiled = ajv.compile(schema);
    }
    if (compiled(obj)) return { ok: true, value: obj as T };
    return { ok: false, errors: (compiled.errors ?? []).map(describe) };
  };
}
