import { randomBytes } from 'node:crypto';
import { open, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';

/*
 * Writing files so that a crash or a kill leaves the old file or the new one, never half of
 * either: reports and baselines are read by the next CI job, which must not find a torn one.
 */

/** In the same folder as `path`, so the rename stays on one file system and is atomic. */
function tempNameBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Writes a file under a temporary name in the same folder, flushes it and renames it into place. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temp = tempNameBeside(path);
  try {
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(text, 'utf8');
      // Without the flush, a crash right after the rename can leave an empty file under the final name.
      await handle.sync();
    } finally {
      await handle.close();
    }
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
