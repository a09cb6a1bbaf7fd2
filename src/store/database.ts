import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { GatewardenError } from '../errors.js';
import { createPrivateFile, ensurePrivateDir, tightenFile } from './file-modes.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

export interface OpenOptions {
  path: string;
  synchronous: 'full' | 'normal';
  log: Logger;
}

/**
 * Opens the database in WAL mode and brings the schema up to date. WAL lets
 * readers (trace queries, the API) run beside the lanes' writes without blocking them.
 * The folder is 0700 and the files 0600 (file-modes.ts): the file is made
 * 0600 before SQLite opens it, and SQLite gives its -wal and -shm the
 * database's mode; looser modes left from before are tightened here.
 */
export function openDatabase({ path, synchronous, log }: OpenOptions): Db {
  if (path !== ':memory:') {
    ensurePrivateDir(dirname(path), log);
    createPrivateFile(path);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) tightenFile(file, log);
  }
  let db: Db;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
  } catch (error) {
    throw new GatewardenError('GW_STORAGE', `cannot open database ${path}: ${(error as Error).message}`);
  }
  migrate(db, MIGRATIONS, log);
  return db;
}

export function migrate(db: Db, migrations: readonly Migration[], log: Logger): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const migration of migrations.filter((m) => m.version > current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
    log.info({ version: migration.version, migration: migration.name }, 'database migrated');
  }
}

/**
 * Runs a write whose loss in a power cut costs only a repeat or an unknown
 * outcome (a settled passage, a deleted outbox row) without its own fsync.
 * In WAL mode a commit under synchronous NORMAL is appended to the WAL file
 * unsynced; the next FULL commit (the next decision) fsyncs the whole file,
 * these frames included, and so does a checkpoint. Decisions keep FULL.
 */
export type RelaxedWrite = <T>(write: () => T) => T;

export function relaxedWriter(db: Db): RelaxedWrite {
  const level = db.pragma('synchronous', { simple: true }) as number;
  if (level < 2) return (write) => write();
  // Not prepared statements: SQLite applies this pragma when it compiles the statement, not when it runs.
  return (write) => {
    db.exec('PRAGMA synchronous = NORMAL');
    try {
      return write();
    } finally {
      db.exec(`PRAGMA synchronous = ${level}`);
    }
  };
}

const readProbes = new WeakMap<Db, Database.Statement>();

/** A read that throws when the database cannot answer: the readiness check when no watcher runs (src/http/routes/ops.ts). */
export function probeRead(db: Db): void {
  let probe = readProbes.get(db);
  if (!probe) {
    probe = db.prepare('SELECT 1');
    readProbes.set(db, probe);
  }
  probe.get();
}
