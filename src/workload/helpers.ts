import { access, constants } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../errors.js';

/**
 * The package root: this file is src/workload/helpers.ts under vitest and
 * dist/workload/helpers.js when installed, both two folders below the root.
 */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type HelperName = 'kdelta-load' | 'kdelta-cgexec';

/** Absolute path of a compiled C helper (helpers/bin/, built by `npm run build:helpers`). */
export function helperPath(name: HelperName): string {
  return `${PACKAGE_ROOT}helpers/bin/${name}`;
}

/** Absolute path of the plain-JS tinybench child runner (plain JS so it runs from src/ and dist/ alike). */
export const TINYBENCH_RUNNER = `${PACKAGE_ROOT}helpers/tinybench-runner.mjs`;

/** The helper's path, or an InputError (exit 3: the installation, not the scenario, is incomplete) saying how to build it. */
export async function requireHelper(name: HelperName): Promise<string> {
  const path = helperPath(name);
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new EnvironmentError(`${path} is missing or not executable: the C helpers have not been built`, { fix: `run \`npm run build:helpers\` in ${PACKAGE_ROOT} (needs a C compiler: apt-get install gcc)` });
  }
  return path;
}
