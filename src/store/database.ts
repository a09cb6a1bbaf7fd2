import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { GatewardenError } from '../errors.js';
import { createPrivateFile, ensurePrivateDir, tightenFile } from './file-modes.js';
import { MIGRATIONS, type Migration } from './migrations.js';

/** A real better-sqlite3 connection on this thread. */
export type Connection = Database.Database;

/** A statement, as better-sqlite3 gives it and as the writer thread's proxy (writer-db.ts) forwards it. */
export interface Statement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  pluck(toggle?: boolean): Statement;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- better-sqlite3's own bound: a transaction takes any arguments
type TransactionBody = (...params: any[]) => unknown;

/**
 * The part of a better-sqlite3 connection the gateway uses: a real
 * connection (tests, the command-line tools, the read-only connection) or the
 * proxy to the writer thread's single writer connection (writer-db.ts).
 */
export interface Db {
  prepare(sql: string): Statement;
  transaction<F extends TransactionBody>(fn: F): (...params: F extends (...args: infer A) => unknown ? A : never) => ReturnType<F>;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): unknown;
  readonly inTransaction: boolean;
}

/** What opening the database logs through: the gateway's logger, or the writer thread's (writer-worker.ts). */
export interface StoreLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface OpenOptions {
  path: string;
  synchronous: 'full' | 'normal';
  log: Logger;
}

/**
 * Each connection's page cache, in KiB (negative: SQLite's unit for a size). better-sqlite3 builds SQLite with
 * 16 MB per connection, and a growing log fills it: the gateway's resident memory rose with the database for
 * half an hour. The hot pages (the ends of the time-ordered indexes, the outbox) fit in 2 MB; the rest is in
 * the kernel's file cache, which the memory target does not count twice (docs/BENCHMARKS.md, "Gateway memory").
 */
const PAGE_CACHE_KIB = -2048;

/**
 * Opens the database in WAL mode and brings the schema up to date. WAL lets
 * readers (trace queries, the API) run beside the lanes' writes without blocking them.
 * The folder is 0700 and the files 0600 (file-modes.ts): the file is made
 * 0600 before SQLite opens it, and SQLite gives its -wal and -shm the
 * database's mode; looser modes left from before are tightened here.
 */
export function openDatabase({ path, synchronous, log }: { path: string; synchronous: OpenOptions['synchronous']; log: StoreLog }): Connection {
  if (path !== ':memory:') {
    ensurePrivateDir(dirname(path), log);
    createPrivateFile(path);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) tightenFile(file, log);
  }
  let db: Connection;
  try {
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma(`cache_size = ${PAGE_CACHE_KIB}`);
  } catch (error) {
    throw new GatewardenError('GW_STORAGE', `cannot open database ${path}: ${(error as Error).message}`);
  }
  migrate(db, MIGRATIONS, log);
  return db;
}

/**
 * A read-only connection beside the writer: in WAL mode it reads the last
 * commit without waiting for a writer, and a long read (an export) holds up
 * no decision's commit.
 */
export function openReader(path: string): Connection {
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    db.pragma(`cache_size = ${PAGE_CACHE_KIB}`);
    return db;
  } catch (error) {
    throw new GatewardenError('GW_STORAGE', `cannot open database ${path} for reading: ${(error as Error).message}`);
  }
}

/**
 * Prepared statements by SQL text, each compiled the first time it is asked for and kept: a filtered
 * list is one of a few statements (keyset.ts), a write unit carries SQL (write-unit.ts); neither prepares afresh.
 */
export function statementCache(db: Db): (sql: string) => Statement {
  const statements = new Map<string, Statement>();
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}

export function migrate(db: Db, migrations: readonly Migration[], log: StoreLog): void {
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

const readProbes = new WeakMap<Db, Statement>();

/** A read that throws when the database cannot answer: the readiness check when no watcher runs (src/http/routes/ops.ts). */
export function probeRead(db: Db): void {
  let probe = readProbes.get(db);
  if (!probe) {
    probe = db.prepare('SELECT 1');
    readProbes.set(db, probe);
  }
  probe.get();
}
