import { chmodSync, closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../config/load-config.js';
import { GatewardenError } from '../errors.js';
import { PRIVATE_FILE_MODE } from '../store/file-modes.js';

/** better-sqlite3 caps a backup step at 0x7fffffff pages: all of them. */
const ALL_PAGES = 0x7fffffff;

/**
 * `gatewarden backup [CONFIG] --to FILE`: a consistent copy of the passage
 * database while the gateway keeps writing, with SQLite's online backup API
 * (https://www.sqlite.org/backup.html, better-sqlite3 `db.backup()`). The
 * source is opened read-only, so the backup can neither change nor lock out
 * the gateway (WAL: a reader does not block the writer). Every page is
 * copied in one step, inside one read transaction, so the copy is one
 * snapshot and a write by the gateway cannot make it restart again and
 * again (a step of 100 pages at a time would restart on each write between
 * steps). The copy is 0600 like the database (docs/operations.md, "Data at
 * rest"), never overwrites a file, and is checked with PRAGMA
 * integrity_check before its path and size are printed.
 */
export async function runBackup(configPath: string, to: string): Promise<string> {
  const config = loadConfig(configPath);
  const source = config.storage.path;
  if (source === ':memory:' || !existsSync(source)) throw new GatewardenError('GW_STORAGE', `no database at ${source} to back up (storage.path in ${configPath})`);
  const target = resolve(to);
  if (resolve(source) === target) throw new GatewardenError('GW_COMMAND_INVALID', '--to: expected a file other than the database itself');
  try {
    // 'wx': made here, 0600 from the first byte; an existing file (an older backup) is never overwritten.
    closeSync(openSync(target, 'wx', PRIVATE_FILE_MODE));
  } catch (error) {
    throw new GatewardenError('GW_COMMAND_INVALID', `--to ${to}: ${(error as NodeJS.ErrnoException).code === 'EEXIST' ? 'the file exists; refusing to overwrite it' : (error as Error).message}`);
  }
  try {
    const db = new Database(source, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      await db.backup(target, { progress: () => ALL_PAGES });
    } finally {
      db.close();
    }
    chmodSync(target, PRIVATE_FILE_MODE);
    const verdict = integrity(target);
    if (verdict !== 'ok') throw new GatewardenError('GW_STORAGE', `backup ${target} fails PRAGMA integrity_check: ${verdict}`);
  } catch (error) {
    rmSync(target, { force: true });
    if (error instanceof GatewardenError) throw error;
    throw new GatewardenError('GW_STORAGE', `backup of ${source} failed: ${(error as Error).message}`);
  }
  return `${target} ${statSync(target).size} bytes (integrity_check ok)`;
}

function integrity(file: string): string {
  const copy = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (copy.pragma('integrity_check') as Array<{ integrity_check: string }>).map((row) => row.integrity_check).join('; ');
  } finally {
    copy.close();
  }
}
