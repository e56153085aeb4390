import { constants } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/*
 * Paths a user named, used without ever blocking or spinning on them: a FIFO, a socket or a
 * character device would wait for a writer forever (or never end), so only regular files are
 * read; folders are made one level at a time (Node's recursive mkdir retries for ever under
 * /proc, where mkdir answers ENOENT for a parent that exists).
 */

/** Why a path that exists is not read: it is not a regular file. */
export class NotRegularFileError extends Error {
  constructor(readonly path: string) {
    super('is not a regular file (a FIFO, socket or device would block or never end)');
  }
}

/**
 * The text of a regular file. The path is stat'ed before it is opened, so a FIFO is refused
 * rather than waited on; it is opened non-blocking and checked again through the descriptor,
 * so one swapped in meanwhile is refused too. fs errors (ENOENT, EACCES) are thrown as they are.
 */
export async function readRegularFile(path: string): Promise<string> {
  if (!(await stat(path)).isFile()) throw new NotRegularFileError(path);
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!(await handle.stat()).isFile()) throw new NotRegularFileError(path);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** Makes `dir` and its missing parents, one mkdir per level, so each error is final. */
export async function makeDirs(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    const found = await stat(d).then(
      (info) => info,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      },
    );
    if (found) {
      if (!found.isDirectory()) throw Object.assign(new Error(`${d} is not a folder`), { code: 'ENOTDIR' });
      break;
    }
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) {
    await mkdir(d).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  }
}
