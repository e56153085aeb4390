import type { ErrorObject } from 'ajv';
import { DURATION_PATTERN, NAME_PATTERN, PERCENT_PATTERN, SYSCALL_NAME_PATTERN, WORKLOAD_METRIC_NAME_PATTERN } from './schema.js';
import { describeValue, pathName, type Finding } from './problem.js';
import { closestMatch } from './suggest.js';
import { DURATION_HINT, PERCENT_HINT } from './units.js';

const TYPE_PHRASE: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'empty',
};

function typePhrase(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => TYPE_PHRASE[String(t)] ?? String(t)).join(' or ');
}

function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeAccepts(schemaType: unknown, actual: string): boolean {
  const types = Array.isArray(schemaType) ? schemaType : [schemaType];
  return types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
}

/** How a branch of an anyOf reads in a message: `false`, `a mapping with interval`, ... */
function branchPhrase(branch: Record<string, unknown>): string {
  const props = branch.properties as Record<string, unknown> | undefined;
  if (branch.type === 'object' && props) return `a mapping with ${Object.keys(props).join(', ')}`;
  return typePhrase(branch.type);
}

/** `a, b or c` */
function listPhrase(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1] ?? ''}`;
}

function pathOf(e: ErrorObject): string[] {
  return e.instancePath === '' ? [] : e.instancePath.slice(1).split('/').map((s) => s.replace(/~1/gu, '/').replace(/~0/gu, '~'));
}

/**
 * Errors by every instance path at or above theirs, so "the errors inside this anyOf" is one
 * lookup rather than a scan of all errors per group (40,000 bad gate entries are 40,000 groups).
 */
function indexByAncestor(errors: readonly ErrorObject[]): Map<string, ErrorObject[]> {
  const index = new Map<string, ErrorObject[]>();
  const add = (path: string, e: ErrorObject): void => {
    const list = index.get(path);
    if (list) list.push(e);
    else index.set(path, [e]);
  };
  for (const e of errors) {
    add('', e);
    for (let i = e.instancePath.indexOf('/', 1); i !== -1; i = e.instancePath.indexOf('/', i + 1)) add(e.instancePath.slice(0, i), e);
    if (e.instancePath !== '') add(e.instancePath, e);
  }
  return index;
}

/** Resolves one anyOf/oneOf group: which of the errors inside it are noise, and the finding it makes itself, if any. */
function resolveGroup(g: ErrorObject, inside: readonly ErrorObject[], dropped: Set<ErrorObject>): Finding | null {
  const branches = (g.schema ?? []) as Array<Record<string, unknown>>;
  const path = pathOf(g);
  const requiredOnly = branches.every((b) => Object.keys(b).length === 1 && Array.isArray(b.required));
  if (requiredOnly) {
    inside.forEach((e) => dropped.add(e));
    if (typeof g.data !== 'object' || g.data === null || Array.isArray(g.data)) return null; // the type error says it
    const keys = branches.map((b) => String((b.required as string[])[0]));
    const present = keys.filter((k) => k in (g.data as object));
    const exactly = `exactly one of ${keys.join(', ')}`;
    if (present.length === 0) return { path, at: 'value', message: `${pathName(path)} must have ${exactly}` };
    return { path: [...path, present[1] as string], at: 'key', message: `${pathName(path)} has ${present.join(' and ')}: it must have ${exactly}` };
  }
  const chosen = branches.findIndex((b) => typeAccepts(b.type, jsonTypeOf(g.data)));
  if (chosen >= 0) {
    const branch = `${g.schemaPath}/${chosen}/`;
    for (const e of inside) if (!e.schemaPath.startsWith(branch)) dropped.add(e);
    return null;
  }
  inside.forEach((e) => dropped.add(e));
  const phrases = [...new Set(branches.flatMap((b) => branchPhrase(b).split(' or ')))];
  return { path, at: 'value', message: `${pathName(path)} must be ${listPhrase(phrases)}, not ${describeValue(g.data)}` };
}

/**
 * Turns ajv's errors into one human finding per real mistake. anyOf/oneOf groups are resolved
 * first, outermost first: when the value's type picks one branch, only that branch's errors
 * are kept (`ebpf: {irq: "x"}` is about irq, not about ebpf not being a boolean).
 */
export function findingsFromAjv(errors: readonly ErrorObject[]): Finding[] {
  const dropped = new Set<ErrorObject>();
  const findings: Finding[] = [];
  const byAncestor = indexByAncestor(errors);
  const groups = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const g of groups) {
    if (dropped.has(g)) continue;
    dropped.add(g);
    const prefix = `${g.schemaPath}/`;
    const inside = (byAncestor.get(g.instancePath) ?? []).filter((e) => e !== g && e.schemaPath.startsWith(prefix));
    const finding = resolveGroup(g, inside, dropped);
    if (finding) findings.push(finding);
  }
  for (const e of errors) {
    if (dropped.has(e)) continue;
    findings.push(findingFromError(e));
  }
  return findings;
}

function patternMessage(pattern: string, name: string, data: unknown): string {
  const v = describeValue(data);
  if (pattern === DURATION_PATTERN) return `bad duration ${v} in ${name}: ${DURATION_HINT}`;
  if (pattern === PERCENT_PATTERN) return `bad percentage ${v} in ${name}: ${PERCENT_HINT}`;
  if (pattern === NAME_PATTERN) return `bad scenario name ${v}: use lower-case letters, digits, ".", "_" and "-", starting with a letter or digit`;
  if (pattern === WORKLOAD_METRIC_NAME_PATTERN) return `bad metric name ${v} in ${name}: use lower-case letters, digits, "_", "." and "-"`;
  if (pattern === SYSCALL_NAME_PATTERN) return `bad syscall name ${v} in ${name}: use the kernel's name, e.g. read, futex, epoll_wait`;
  return `${name} must match ${pattern}, not ${v}`;
}

function unknownKey(path: readonly string[], key: string, allowed: readonly string[]): Finding {
  const message = (): string => {
    // A suggestion for a key longer than any allowed one by far is noise, and costs length × length.
    const hint = key.length <= 64 ? closestMatch(key, allowed) : null;
    const tail = hint ? ` (did you mean "${hint}"?)` : allowed.length ? ` (allowed: ${allowed.join(', ')})` : '';
    const shown = key.length > 80 ? `${key.slice(0, 80)}…` : key;
    return `unknown key "${shown}" in ${pathName(path)}${tail}`;
  };
  return { path: [...path, key], at: 'key', message };
}

function findingFromError(e: ErrorObject): Finding {
  const path = pathOf(e);
  const name = pathName(path);
  const data: unknown = e.data;
  const params = e.params as Record<string, unknown>;
  const value = (message: string): Finding => ({ path, at: 'value', message });
  const limit = String(params.limit);
  switch (e.keyword) {
    case 'additionalProperties':
      return unknownKey(path, String(params.additionalProperty), Object.keys((e.parentSchema?.properties ?? {}) as object));
    case 'required':
      return value(`${name} is missing required key "${String(params.missingProperty)}"`);
    case 'type': {
      const quote =
        params.type === 'string' && (typeof data === 'number' || typeof data === 'boolean') ? ` (quote it: "${String(data)}")` : '';
      return value(`${name} must be ${typePhrase(params.type)}, not ${describeValue(data)}${quote}`);
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof data === 'string' && data.length <= 64 ? closestMatch(data, allowed) : null;
      return value(`${name} must be one of ${allowed.join(', ')}, not ${describeValue(data)}${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
    case 'pattern':
      return value(patternMessage(String(params.pattern), name, data));
    case 'minimum':
      return value(`${name} must be at least ${limit}, not ${describeValue(data)}`);
    case 'maximum':
      return value(`${name} must be at most ${limit}, not ${describeValue(data)}`);
    case 'exclusiveMinimum':
      return value(`${name} must be more than ${limit}, not ${describeValue(data)}`);
    case 'exclusiveMaximum':
      return value(`${name} must be less than ${limit}, not ${describeValue(data)}`);
    case 'minItems':
    case 'minLength':
      return value(`${name} must not be empty`);
    case 'maxItems':
      return value(`${name} may list at most ${limit} items, not ${Array.isArray(data) ? data.length : '?'}`);
    case 'maxProperties':
      return value(`${name} may have at most ${limit} keys, not ${typeof data === 'object' && data ? Object.keys(data).length : '?'}`);
    case 'maxLength':
      // ajv counts code points, not UTF-16 units, and so does the message.
      return value(`${name} may be at most ${limit} characters long, not ${typeof data === 'string' ? [...data].length : '?'}`);
    case 'uniqueItems': {
      const list = Array.isArray(data) ? data : [];
      return { path: [...path, String(params.i)], at: 'value', message: `${name} lists ${describeValue(list[Number(params.i)])} twice` };
    }
    default:
      return value(`${name} ${e.message ?? 'is not valid'}`);
  }
}
