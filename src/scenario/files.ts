import { constants } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { BOUNDS, describeBytes } from './bounds.js';
import type { Problem } from './problem.js';

export const SCENARIO_EXTENSIONS = ['.yaml', '.yml', '.json'] as const;

function fsMessage(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ENOTDIR':
      return 'a part of this path is a file, not a folder';
    default:
      return `cannot read: ${e.message}`;
  }
}

const problemAt = (file: string, message: string): Problem => ({ file, line: 0, col: 0, message });

async function filesInFolder(path: string, problems: Problem[]): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(path);
  } catch (err) {
    problems.push(problemAt(path, fsMessage(err)));
    return [];
  }
  const found = entries
    .filter((e) => (SCENARIO_EXTENSIONS as readonly string[]).includes(extname(e).toLowerCase()))
    .sort()
    .map((e) => join(path, e));
  if (found.length === 0) problems.push(problemAt(path, `no scenario files (${SCENARIO_EXTENSIONS.map((x) => `*${x}`).join(', ')}) in this folder`));
  return found;
}

/** The scenario files named by `paths`: files as given, directories' *.yaml/*.yml/*.json (not recursive), each folder sorted. */
export async function listScenarioFiles(paths: readonly string[]): Promise<{ files: string[]; problems: Problem[] }> {
  const files: string[] = [];
  const problems: Problem[] = [];
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = (await stat(path)).isDirectory();
    } catch (err) {
      problems.push(problemAt(path, fsMessage(err)));
      continue;
    }
    files.push(...(isDir ? await filesInFolder(path, problems) : [path]));
  }
  // The same file named twice (`a.yaml` and `./a.yaml`, or a file and its folder) is loaded once,
  // so it is not reported as a duplicate of itself.
  const seen = new Set<string>();
  const unique = files.filter((f) => {
    const key = resolve(f);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { files: unique, problems };
}

const NOT_REGULAR = 'is not a regular file (a FIFO, socket or device would block or never end): name a scenario file';
const tooLarge = (size: string): string => `the file is ${size}: a scenario file may be at most ${describeBytes(BOUNDS.fileBytes)}`;

/**
 * One scenario file's text, or why it cannot be had. The path is stat'ed before it is opened,
 * so a FIFO is refused rather than waited on; it is opened non-blocking and checked again
 * through the open descriptor, so one swapped in meanwhile is refused too. At most the size
 * bound is read: /proc files say they are empty and a large file is refused unparsed.
 */
export async function readScenarioFile(file: string): Promise<{ ok: true; text: string } | { ok: false; problem: Problem }> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return { ok: false, problem: problemAt(file, NOT_REGULAR) };
    if (info.size > BOUNDS.fileBytes) return { ok: false, problem: problemAt(file, tooLarge(describeBytes(info.size))) };
    const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      if (!(await handle.stat()).isFile()) return { ok: false, problem: problemAt(file, NOT_REGULAR) };
      const buffer = Buffer.alloc(BOUNDS.fileBytes + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length === buffer.length) return { ok: false, problem: problemAt(file, tooLarge(`more than ${describeBytes(BOUNDS.fileBytes)}`)) };
      }
      return { ok: true, text: buffer.toString('utf8', 0, length) };
    } finally {
      await handle.close();
    }
  } catch (err) {
    return { ok: false, problem: problemAt(file, fsMessage(err)) };
  }
}
