import type { Logger } from 'pino';
import type { Db } from './database.js';
import { Code } from '../errors.js';
import { fileIdentity, fileLoss, type FileIdentity } from './file-identity.js';

/** What `/readyz` shows of the database. */
export interface StorageHealth {
  ok: boolean;
  reason?: string;
}

export interface DatabaseWatchOptions {
  db: Db;
  /** Runs the write probe's pragmas where the writes run, without the event loop waiting (WriterThread.pragmas). */
  pragmas: (sources: readonly string[]) => Promise<void>;
  /** The file the database was opened from (`:memory:` has none to watch). */
  path: string;
  log: Logger;
  everyMs: number;
  /** Once per fault, when it starts (a `storage-fault` alert). */
  onFault: (error: Error) => void;
}

/**
 * Written by the probe: a header field only this probe uses, so the probe is a
 * real write transaction without a table of its own. "GWRD" in ASCII.
 */
const PROBE_APPLICATION_ID = 0x47575244;
/** `/readyz` may be called often; a probe younger than this is answered from memory. */
const MIN_PROBE_INTERVAL_MS = 1000;

/**
 * Notices a database that no longer takes writes where they can be read back.
 *
 * - Deleted or replaced: SQLite keeps writing to the open, unlinked inode and
 *   every later decision is lost at the next restart, silently. The path's
 *   inode and device are compared with those seen at open.
 * - Made read-only or immutable: the WAL may still take appends while the
 *   checkpoint into the main file fails, so the probe does both.
 *
 * On a fault the connection is set `query_only`: every lane write then fails,
 * and a lane whose write fails refers the person to the guard (fail secure,
 * LaneRunner.guardStorage). A deleted or replaced file stays faulted until a
 * restart, which refuses to start on a missing database (db-presence.ts); a
 * failed write probe is retried and clears once writes succeed again.
 */
export class DatabaseWatch {
  private readonly identity: FileIdentity | undefined;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private lost: string | undefined;
  private writeFault: string | undefined;
  private probedAt = Number.NEGATIVE_INFINITY;
  private probing = false;
  private stopped = false;

  constructor(private readonly options: DatabaseWatchOptions) {
    this.log = options.log.child({ module: 'db-watch' });
    this.identity = fileIdentity(options.path);
  }

  start(): void {
    this.timer ??= setInterval(() => this.check(), this.options.everyMs);
    this.timer.unref();
  }

  stop(): void {
    // A probe still out when the writer closes is answered "stopped": not a fault.
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Checks the file (a stat, every time) and starts a write probe (at most once a second); the health as last found. */
  check(now = Date.now()): StorageHealth {
    if (this.lost === undefined) {
      const lost = fileLoss(this.options.path, this.identity);
      if (lost !== undefined) this.fault((this.lost = lost), true);
      else if (!this.probing && now - this.probedAt >= MIN_PROBE_INTERVAL_MS) {
        this.probedAt = now;
        this.probeWrite();
      }
    }
    const reason = this.lost ?? this.writeFault;
    return reason === undefined ? { ok: true } : { ok: false, reason };
  }

  /**
   * A real write, then a checkpoint that copies the WAL into the main file (the append alone succeeds on an
   * immutable database). The checkpoint copies everything written since the last one, so it runs on the writer
   * thread while the lanes go on; its answer comes back by message.
   */
  private probeWrite(): void {
    this.probing = true;
    const sources = [...(this.writeFault === undefined ? [] : ['query_only = OFF']), `application_id = ${PROBE_APPLICATION_ID}`, 'wal_checkpoint(PASSIVE)'];
    this.options.pragmas(sources).then(
      () => {
        this.probing = false;
        if (this.writeFault === undefined || this.stopped) return;
        this.writeFault = undefined;
        this.log.info({ path: this.options.path }, 'database takes writes again: lanes decide again');
      },
      (error: Error) => {
        this.probing = false;
        if (this.stopped) return;
        const first = this.writeFault === undefined;
        this.fault((this.writeFault = `database ${this.options.path} refuses writes: ${error.message}`), first);
      },
    );
  }

  /** Fails secure on every failed check; alerts when this fault starts. */
  private fault(reason: string, starts: boolean): void {
    try {
      this.options.db.pragma('query_only = ON');
    } catch (error) {
      this.log.error({ err: (error as Error).message, code: Code.GW_STORAGE }, 'cannot set the database read-only');
    }
    if (!starts) return;
    this.log.error({ reason, code: Code.GW_STORAGE }, 'database fault: lanes refer every person to the guard');
    this.options.onFault(new Error(reason));
  }
}
