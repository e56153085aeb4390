import { RE2JS } from 're2js';
import { InputError } from '../../errors.js';
import type { RoleRule } from '../../scenario/types.js';

/** Names a thread's group from its name (comm): the first role whose pattern matches, else the name with digits folded. */
export type GroupNamer = (comm: string) => string;

function globToRe2(glob: string): string {
  let out = '';
  for (const ch of glob) {
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else out += ch.replace(/[\\^$.|+()[\]{}]/u, '\\$&');
  }
  return `^${out}$`;
}

/**
 * The one place thread groups are named: `worker12` -> `worker*` (thread ids change every
 * run, names with digits folded do not), unless a role of `collect.roles` claims the name.
 * A pattern written `/.../` is an RE2 regex (matched anywhere in the name), otherwise a glob
 * over the whole name.
 */
export function groupNamer(roles: readonly RoleRule[] = []): GroupNamer {
  const compiled = roles.map((r) => {
    const isRegex = r.pattern.length > 2 && r.pattern.startsWith('/') && r.pattern.endsWith('/');
    const source = isRegex ? r.pattern.slice(1, -1) : globToRe2(r.pattern);
    try {
      return { re: RE2JS.compile(source), role: r.role };
    } catch (err) {
      throw new InputError(`collect.roles: pattern "${r.pattern.slice(0, 80)}" is not ${isRegex ? 'an RE2 regex' : 'a glob'} (${(err as Error).message})`, {
        fix: 'write a glob such as "worker*" or a regex such as "/^worker[0-9]+$/"',
      });
    }
  });
  const cache = new Map<string, string>();
  return (comm) => {
    let g = cache.get(comm);
    if (g === undefined) {
      g = compiled.find((c) => c.re.matcher(comm).find())?.role ?? comm.replace(/\d+/g, '*');
      cache.set(comm, g);
    }
    return g;
  };
}
