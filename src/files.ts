import { randomBytes } from 'node:crypto';
import { lstat, open, readdir, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { EnvironmentError } from './errors.js';

/*
 * Writing files so that a crash or a kill leaves the old file or the new one, never half of
 * either: reports and baselines are read by the next CI job, which must not find a torn one.
 * Temporary names carry the writer's pid, so the next run can tell a leftover of a killed
 * kdelta from a file another kdelta is writing right now.
 */

/** A temporary name's owner is dead, or the file is older than this (the pid may have been reused). */
export const STALE_TEMP_MS = 60 * 60 * 1000;

/** `.<name>.<pid>.<8 hex>.tmp`: a file being written; `.<name>.kdelta-<pid>-<8 hex>.tmp|old`: a report set being swapped. */
const TEMP_NAME = /^\.(.+)\.(?:(\d+)\.[0-9a-f]{8}\.tmp|kdelta-(\d+)-[0-9a-f]{8}\.(tmp|old))$/u;

/** A unique tag of this process for temporary names. */
export function tempTag(separator: '.' | '-'): string {
  return `${process.pid}${separator}${randomBytes(4).toString('hex')}`;
}

/** In the same folder as `path`, so the rename stays on one file system and is atomic. */
function tempNameBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${tempTag('.')}.tmp`);
}

/** Error codes that mean the file system, not kdelta, refused the write. */
const ENVIRONMENT_WRITE_CODES: Readonly<Record<string, string>> = {
  ENOSPC: 'free space on that file system',
  EDQUOT: 'raise the disk quota or free space in it',
  EROFS: 'the file system is read-only: remount it read-write',
  EACCES: 'give kdelta write permission there',
  EPERM: 'give kdelta write permission there',
  EIO: 'the disk reported an I/O error: check it',
  EFBIG: 'the file is larger than that file system allows',
};

/**
 * A write that failed because of the machine (full, read-only, no permission, quota) as exit
 * 3 with the path and the fix; anything else is returned as it was. `elsewhere` says how to
 * write somewhere else instead (`--out DIR`).
 */
export function writeFailure(err: unknown, path: string, what: string, elsewhere: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const fix = code !== undefined && Object.hasOwn(ENVIRONMENT_WRITE_CODES, code) ? ENVIRONMENT_WRITE_CODES[code] : undefined;
  if (fix === undefined || err instanceof EnvironmentError) return err;
  return new EnvironmentError(`cannot write ${what}: ${code}`, { file: path, fix: `${fix}, or ${elsewhere}` });
}

/** Writes `text` to a new file and flushes it: without the flush, a crash right after a rename can leave an empty file. */
export async function writeSynced(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx', 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a file under a temporary name in the same folder, flushes it and renames it into place. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = tempNameBeside(path);
  try {
    await writeSynced(temp, text);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Points `link` at `target` by creating a new symlink beside it and renaming it over the old one. */
export async function replaceSymlink(link: string, target: string): Promise<void> {
  const temp = tempNameBeside(link);
  // Relative, so the folder the link is in can be moved or archived as a whole.
  await symlink(relative(dirname(resolve(link)), resolve(target)), temp);
  try {
    await rename(temp, link);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Whether a process with this pid exists (EPERM: it does, and belongs to someone else). */
export function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A temporary name of kdelta's in `dir`, parsed: whose it is and what kind. */
export interface TempEntry {
  name: string;
  /** The name it stands in for (`report.json`, or the report folder's name). */
  target: string;
  pid: number;
  kind: 'file' | 'set' | 'old-set';
}

export function parseTempName(name: string): TempEntry | null {
  const m = TEMP_NAME.exec(name);
  if (!m) return null;
  const pid = Number(m[2] ?? m[3]);
  return { name, target: m[1] ?? '', pid, kind: m[2] !== undefined ? 'file' : m[4] === 'old' ? 'old-set' : 'set' };
}

/** Whether a temporary entry is a leftover: its writer is gone, or it is older than any write takes. */
export async function isStale(dir: string, entry: TempEntry, now: number): Promise<boolean> {
  if (!pidAlive(entry.pid)) return true;
  const info = await lstat(join(dir, entry.name)).catch(() => null);
  return info !== null && now - info.mtimeMs > STALE_TEMP_MS;
}

/**
 * Removes the temporary files (`.report.json.<pid>.<hex>.tmp`, `.<scenario>.json.<pid>.<hex>.tmp`)
 * a killed kdelta left in `dir`: only those whose writer is dead or that are older than
 * STALE_TEMP_MS, so a kdelta writing beside this one keeps its own. `only` limits it to the
 * temporary names of one target. A missing folder has none. Returns the names removed.
 */
export async function sweepStaleTemps(dir: string, only?: (entry: TempEntry) => boolean, now = Date.now()): Promise<string[]> {
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return [];
    throw err;
  });
  const removed: string[] = [];
  for (const name of names) {
    const entry = parseTempName(name);
    if (!entry || entry.kind !== 'file' || (only && !only(entry))) continue;
    if (!(await isStale(dir, entry, now))) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}
