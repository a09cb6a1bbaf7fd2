import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { Code, GatewardenError } from '../errors.js';

/**
 * A database that vanished between two runs must not come back as an empty
 * one: the mode (a lockdown), the quarantine and risk lists pushed by command,
 * revoked passes and the passage log would all be gone, and the estate would
 * open in normal mode without a word. A marker beside the database records
 * that one was created; a start that finds the marker but no database stops
 * with GW_STORAGE_MISSING unless told `--new-database` (docs/operations.md).
 */
export function markerPath(databasePath: string): string {
  return `${databasePath}.created`;
}

/** Before open: throws GW_STORAGE_MISSING when a database created before is gone; true when the open will create one. */
export function checkDatabasePresence(path: string, options: { allowNew: boolean; log: Logger }): boolean {
  if (path === ':memory:' || existsSync(path)) return false;
  if (!existsSync(markerPath(path))) return true;
  const created = readCreatedAt(markerPath(path));
  if (options.allowNew) {
    options.log.warn({ path, created, code: Code.GW_STORAGE_MISSING }, 'database missing; starting an empty one as told (--new-database): lists, mode and passage log start empty');
    return true;
  }
  throw new GatewardenError('GW_STORAGE_MISSING', `database ${path} is missing, but ${markerPath(path)} records that one was created${created ? ` on ${created}` : ''}`, [
    'it was deleted or moved: restore it from a backup (with its -wal file), or',
    'start with --new-database to begin an empty one (mode, lists, passes and the passage log start empty)',
  ]);
}

/** After open: records that this database exists (a marker already there is kept unless the database is new). */
export function markDatabaseCreated(path: string, now: Date, fresh: boolean): void {
  if (path === ':memory:' || (!fresh && readCreatedAt(markerPath(path)) !== undefined)) return;
  writeFileSync(markerPath(path), `${JSON.stringify({ createdAt: now.toISOString() })}\n`, { mode: 0o600 });
}

function readCreatedAt(marker: string): string | undefined {
  try {
    const { createdAt } = JSON.parse(readFileSync(marker, 'utf8')) as { createdAt?: unknown };
    return typeof createdAt === 'string' ? createdAt : undefined;
  } catch {
    return undefined;
  }
}
