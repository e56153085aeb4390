import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Rule } from './context.js';

/**
 * The repository a scenario file belongs to: the nearest folder above it with a `.git` (a
 * folder, or a file in a worktree), else the file's own folder.
 */
export function repositoryOf(folder: string): string {
  for (let d = folder; ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return folder;
  }
}

const CWD_FIELDS = [
  ['workload', 'cwd'],
  ['workload', 'service', 'cwd'],
] as const;

/**
 * A relative `cwd` is relative to the scenario file, and a checkout moves with its scenarios:
 * one that climbs out of the repository (`../../../..` runs in `/`) means a different folder
 * on every runner. An absolute path is taken as written: that is a choice, not an accident.
 */
export const cwdInsideRepository: Rule = {
  name: 'cwd-inside-repository',
  check(ctx) {
    const file = ctx.options.file;
    if (file === undefined) return;
    const folder = dirname(file);
    for (const path of CWD_FIELDS) {
      const value = ctx.get(path);
      if (typeof value !== 'string' || value === '' || isAbsolute(value)) continue;
      const root = repositoryOf(folder);
      const target = resolve(folder, value);
      const rel = relative(root, target);
      if (rel !== '..' && !rel.startsWith('../')) continue;
      ctx.report(path, 'value', `${path.join('.')} "${value}" resolves to ${target}, outside the scenario file's repository (${root}); relative paths must stay inside it. If that folder is really meant, write it as an absolute path`);
    }
  },
};
