import { createHash } from 'node:crypto';
import { isAbsolute, relative } from 'node:path';
import type { WorkloadSpec } from '../scenario/types.js';

/** A copy with object keys sorted at every level (arrays keep their order): canonical JSON. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function portable(normalized: Record<string, unknown>, relativeTo: string | undefined): Record<string, unknown> {
  delete normalized.timeoutMs;
  if (relativeTo !== undefined) {
    for (const key of ['cwd', 'module'] as const) {
      const v = normalized[key];
      if (typeof v === 'string' && isAbsolute(v)) normalized[key] = relative(relativeTo, v) || '.';
    }
  }
  return normalized;
}

/**
 * sha256 (hex) of the workload definition as canonical JSON (sorted keys). Left out: the
 * timeout, which bounds a run without changing what it measures. With `relativeTo` (the
 * scenario file's folder), `cwd` and `module` are hashed relative to it, so the same
 * checkout in another directory (a CI runner's workspace) keeps its baselines.
 */
export function workloadHash(spec: WorkloadSpec, relativeTo?: string): string {
  const normalized = portable({ ...spec }, relativeTo);
  // A service's readiness timeout bounds the run like the timeout; its folder moves with the checkout like cwd.
  if (spec.kind === 'command' && spec.service) normalized.service = portable({ ...spec.service }, relativeTo);
  return createHash('sha256').update(JSON.stringify(sortKeys(normalized))).digest('hex');
}
