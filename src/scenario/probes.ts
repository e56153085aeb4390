import { isAbsolute, join, resolve } from 'node:path';
import type { WindowProbe } from './types.js';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/u;
// A C or C++ symbol as the ELF spells it (versioned names such as malloc@GLIBC_2.2.5 included).
const SYMBOL = /^[A-Za-z_.$][A-Za-z0-9_.$@]*$/u;

export const PROBE_HINT = 'write usdt:BINARY:PROVIDER:NAME, uprobe:BINARY:FUNCTION, uretprobe:BINARY:FUNCTION or tracepoint:SYSTEM:NAME';

/**
 * A window probe as written, its parts taken from the end so that a binary's path may hold ':'.
 * The binary is kept as written; `probeBinary` says where it is.
 */
export function parseProbe(text: string): { ok: true; probe: WindowProbe } | { ok: false; error: string } {
  const bad = (why: string): { ok: false; error: string } => ({ ok: false, error: `bad probe "${text.slice(0, 200)}": ${why}` });
  const colon = text.indexOf(':');
  const kind = colon > 0 ? text.slice(0, colon) : '';
  const parts = text.slice(colon + 1).split(':');
  if (kind === 'usdt') {
    const name = parts.pop() ?? '';
    const provider = parts.pop() ?? '';
    const target = parts.join(':');
    if (!target || !IDENT.test(provider) || !IDENT.test(name)) return bad(`a USDT probe is usdt:BINARY:PROVIDER:NAME`);
    return { ok: true, probe: { kind, target, provider, name } };
  }
  if (kind === 'uprobe' || kind === 'uretprobe') {
    const name = parts.pop() ?? '';
    const target = parts.join(':');
    if (!target || !SYMBOL.test(name)) return bad(`a ${kind} is ${kind}:BINARY:FUNCTION`);
    return { ok: true, probe: { kind, target, name } };
  }
  if (kind === 'tracepoint') {
    const [target = '', name = ''] = parts;
    if (parts.length !== 2 || !IDENT.test(target) || !IDENT.test(name)) return bad('a tracepoint is tracepoint:SYSTEM:NAME, e.g. tracepoint:sched:sched_process_exec');
    return { ok: true, probe: { kind, target, name } };
  }
  return bad(PROBE_HINT);
}

/**
 * Where a probe's binary is: as written when absolute, else beside the scenario file when it
 * holds a '/', else the first of `pathDirs` that `exists` says holds it. Null when not found.
 */
export function probeBinary(target: string, folder: string, pathDirs: readonly string[], exists: (p: string) => boolean): string | null {
  if (isAbsolute(target)) return target;
  if (target.includes('/')) return resolve(folder, target);
  for (const dir of pathDirs) {
    const p = join(dir, target);
    if (exists(p)) return p;
  }
  return null;
}

/** The loader's spelling of a probe (its binary already absolute). */
export function probeText(p: WindowProbe): string {
  return p.kind === 'usdt' ? `usdt:${p.target}:${p.provider ?? ''}:${p.name}` : `${p.kind}:${p.target}:${p.name}`;
}
