import { chmod, chown, lstat, mkdir, open, readdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { isStale, parseTempName, tempTag, writeFileAtomic, writeSynced } from './files.js';

/*
 * A set of files (report.json, junit.xml, summary.md, comment.md, report.html) that must be
 * replaced together: the next CI step must find the old set or the new one, never report.json
 * of one run beside junit.xml of another. The new set is written into a hidden folder beside
 * the target and renamed into place once. A target folder that exists is swapped by two
 * renames (old aside, new in); the user's own files in it are then moved into the new folder
 * and the old set deleted. A crash between the renames leaves `.<name>.kdelta-<pid>-<hex>.old`
 * and no target, which the next run's sweep renames back.
 *
 * The swap is not done where renaming the folder would do harm, and the files are replaced
 * one by one there instead (each still atomically): the working directory or a folder above
 * it, a mount point, and a folder whose parent kdelta cannot write.
 */

/** How the set reached its folder, for tests and the README's promise. */
export type SetWrite = 'renamed' | 'swapped' | 'in-place';

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => null);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a folder; the renames are still atomic there.
  } finally {
    await handle.close();
  }
}

/** Whether renaming the folder away would move something from under someone. */
async function swappable(dir: string, cwd: string): Promise<boolean> {
  for (const inside of [cwd, process.cwd()]) {
    const rel = relative(dir, resolve(inside));
    if (rel !== '..' && !rel.startsWith('../')) return false;
  }
  const [own, parent] = await Promise.all([stat(dir), stat(dirname(dir))]);
  return own.dev === parent.dev;
}

async function replaceOneByOne(dir: string, files: ReadonlyArray<readonly [string, string]>): Promise<SetWrite> {
  for (const [name, text] of files) await writeFileAtomic(join(dir, name), text);
  return 'in-place';
}

async function keepOwnership(folder: string, like: { mode: number; uid: number; gid: number }): Promise<void> {
  await chmod(folder, like.mode & 0o7777);
  // Only root may give a folder away; anyone else's folder is theirs already.
  if (process.getuid?.() === 0) await chown(folder, like.uid, like.gid);
}

/** Moves what the user keeps in the old folder (anything but the set's own files) into the new one. */
async function keepOthers(from: string, to: string, ours: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(from)) {
    if (ours.has(name)) continue;
    const there = await lstat(join(to, name)).catch(() => null);
    if (!there) await rename(join(from, name), join(to, name));
  }
}

async function swapIn(dir: string, temp: string, ours: ReadonlySet<string>): Promise<void> {
  const old = join(dirname(dir), `.${basename(dir)}.kdelta-${tempTag('-')}.old`);
  await rename(dir, old);
  try {
    await rename(temp, dir);
  } catch (err) {
    await rename(old, dir);
    throw err;
  }
  await keepOthers(old, dir, ours);
  await rm(old, { recursive: true, force: true });
}

/**
 * Writes `files` (name, text) as one set into `dir`, whose parent must exist. `cwd` is the
 * working directory the swap must not move. Returns how the set got there.
 */
export async function writeFileSet(target: string, files: ReadonlyArray<readonly [string, string]>, cwd = process.cwd()): Promise<SetWrite> {
  const existing = await lstat(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  // A symlinked target (reports/latest) is the folder it points at; the link stays.
  const dir = existing?.isSymbolicLink() ? await realpath(target) : target;
  if (existing && !(await stat(dir)).isDirectory()) throw Object.assign(new Error(`${target} is not a folder`), { code: 'ENOTDIR' });
  if (existing && !(await swappable(dir, cwd))) return replaceOneByOne(dir, files);
  const temp = join(dirname(dir), `.${basename(dir)}.kdelta-${tempTag('-')}.tmp`);
  try {
    await mkdir(temp);
  } catch (err) {
    if (existing && ['EACCES', 'EPERM'].includes((err as NodeJS.ErrnoException).code ?? '')) return replaceOneByOne(dir, files);
    throw err;
  }
  try {
    // A swapped-in folder keeps the old one's mode and owner (a runner user's folder stays theirs).
    if (existing) await keepOwnership(temp, await stat(dir));
    for (const [name, text] of files) await writeSynced(join(temp, name), text);
    await syncDir(temp);
    if (existing) await swapIn(dir, temp, new Set(files.map(([name]) => name)));
    else await rename(temp, dir);
    await syncDir(dirname(dir));
    return existing ? 'swapped' : 'renamed';
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * Cleans what a killed kdelta left beside report folders in `parent`: a half-written new set
 * is deleted; an old set swapped aside is renamed back when its target is missing (the kill
 * came between the two renames), else the user's files still in it are moved back and the
 * rest deleted. Only leftovers whose writer is dead or that are older than STALE_TEMP_MS;
 * `only` limits it to one target's. Returns the names handled.
 */
export async function sweepStaleSets(parent: string, only?: string, now = Date.now()): Promise<string[]> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const handled: string[] = [];
  for (const name of names) {
    const entry = parseTempName(name);
    if (!entry || entry.kind === 'file' || (only !== undefined && entry.target !== only)) continue;
    if (!(await isStale(parent, entry, now))) continue;
    const path = join(parent, name);
    const target = join(parent, entry.target);
    if (entry.kind === 'old-set') {
      const present = await lstat(target).then(() => true, () => false);
      if (!present) {
        await rename(path, target);
        handled.push(name);
        continue;
      }
      await keepOthers(path, target, new Set(REPORT_SET_NAMES));
    }
    await rm(path, { recursive: true, force: true });
    handled.push(name);
  }
  return handled;
}

/** The files of a report set: what a swap deletes from the old folder, and nothing else. */
export const REPORT_SET_NAMES = ['report.json', 'junit.xml', 'summary.md', 'comment.md', 'report.html'] as const;
