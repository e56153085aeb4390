import { resolve } from 'node:path';
import { openPostgresStore } from './postgres.js';
import { openSqliteStore } from './sqlite.js';
import type { HistoryStore } from './types.js';

export const DEFAULT_STORE = '.kdelta/history.sqlite';

/** Where the history lives: --store, else $KDELTA_STORE, else the SQLite file in .kdelta/. */
export function storeLocation(option: string | undefined, env: NodeJS.ProcessEnv): string {
  return option ?? (env['KDELTA_STORE'] || DEFAULT_STORE);
}

/** A postgres:// or postgresql:// URL opens the shared store; anything else is a SQLite file path. */
export async function openStore(location: string, cwd: string): Promise<HistoryStore> {
  if (/^postgres(ql)?:\/\//.test(location)) return openPostgresStore(location);
  return openSqliteStore(resolve(cwd, location));
}
