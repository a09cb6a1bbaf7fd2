import { statSync } from 'node:fs';

/** The inode a database was opened on: a file put in its place, or none, is another file. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

/** The identity of the file at `path` now; `:memory:` has none. */
export function fileIdentity(path: string): FileIdentity | undefined {
  if (path === ':memory:') return undefined;
  const { dev, ino } = statSync(path);
  return { dev, ino };
}

/**
 * Why the file at `path` is no longer the one opened (deleted, replaced, unreadable), or undefined when it is.
 * SQLite writes on to the open, unlinked inode, so every write after such a swap would be lost at the next start.
 */
export function fileLoss(path: string, opened: FileIdentity | undefined): string | undefined {
  if (!opened) return undefined;
  try {
    const { dev, ino } = statSync(path);
    if (dev === opened.dev && ino === opened.ino) return undefined;
    return `database file ${path} was replaced while open (inode ${opened.ino} → ${ino}): restore it and restart`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return `database file ${path} cannot be checked: ${(error as Error).message}`;
    return `database file ${path} was deleted while open: restore it from a backup and restart`;
  }
}
