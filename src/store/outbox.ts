import type { Db } from './database.js';
import { MessagePriority, type OutgoingMessage } from '../contract/messages.js';
import type { ReportChain } from './report-chain.js';
import { inlineCommitter, type Committer } from './write-unit.js';

/** Where a store's writes are committed and its reads are made; by default both on its own connection. */
export interface StoreAccess {
  committer?: Committer;
  /** A read-only connection (database.ts, openReader): reads that wait for no commit. */
  reader?: Db;
}

export interface OutboxRow {
  seq: number;
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

/**
 * Store-and-forward queue of MQTT messages. Rows are written in the same
 * transaction as the passage or alert they report, and deleted only once the
 * broker has acknowledged them (PUBACK), so delivery is at least once.
 */
export class Outbox {
  private readonly insertStmt;
  private readonly peekStmt;
  private readonly statsStmt;
  private readonly dropTopicStmt;
  private readonly lowestStmt;
  private readonly deleteStmt;
  readonly committer: Committer;

  /**
   * `table`: `outbox` for the estate broker, `uplink_outbox` for the district uplink (same columns).
   * `chain`: every enqueued report is stamped with its seq and hash link (docs/district.md).
   * `access`: the drain's reads go to the reader and its deletes to the committer, so neither waits on a decision's fsync.
   */
  constructor(
    private readonly db: Db,
    readonly table: 'outbox' | 'uplink_outbox' = 'outbox',
    readonly chain?: ReportChain,
    access: StoreAccess = {},
  ) {
    const reader = access.reader ?? db;
    this.insertStmt = db.prepare(`INSERT INTO ${table} (topic, payload, qos, retain, priority, created_at) VALUES (?, ?, ?, ?, ?, ?)`);
    this.peekStmt = reader.prepare(`SELECT seq, topic, payload, qos, retain FROM ${table} WHERE seq > ? ORDER BY seq LIMIT ?`);
    this.statsStmt = reader.prepare(`SELECT count(*) AS depth, min(created_at) AS oldest FROM ${table}`);
    this.dropTopicStmt = db.prepare(`DELETE FROM ${table} WHERE topic = ?`);
    // Shedding reads and deletes in the caller's transaction on the writer: its rows must be the ones the writer sees.
    this.lowestStmt = db.prepare(`SELECT seq, json_extract(payload, '$.seq') AS report FROM ${table} WHERE priority < ? ORDER BY priority, seq LIMIT ?`);
    this.deleteStmt = db.prepare(`DELETE FROM ${table} WHERE seq = ?`);
    this.committer = access.committer ?? inlineCommitter(db, this);
  }

  /** Call inside the caller's transaction. Returns the message as it will be published (stamped when chained). */
  enqueue(message: OutgoingMessage, at: number, options: { signed?: boolean } = {}): OutgoingMessage {
    const stamped = this.chain ? this.chain.append(message, at, options.signed) : message;
    this.enqueueAsIs(stamped, at);
    return stamped;
  }

  /** Queues a message outside the chain, byte for byte: a checkpoint, or a kept report sent again (cmd/resend). */
  enqueueAsIs(message: OutgoingMessage, at: number): void {
    this.insertStmt.run(message.topic, message.payload, message.qos, message.retain ? 1 : 0, message.priority, at);
  }

  /** Queues a retained state message in place of any still queued on its topic (only the latest matters). */
  replace(message: OutgoingMessage, at: number): void {
    this.db.transaction(() => {
      this.dropTopicStmt.run(message.topic);
      this.enqueueAsIs(message, at);
    })();
  }

  /** The next rows after `afterSeq`, oldest first. */
  peek(afterSeq: number, limit: number): OutboxRow[] {
    return (this.peekStmt.all(afterSeq, limit) as Array<{ seq: number; topic: string; payload: string; qos: number; retain: number }>).map((row) => ({
      seq: row.seq,
      topic: row.topic,
      payload: row.payload,
      qos: row.qos === 0 ? 0 : 1,
      retain: row.retain === 1,
    }));
  }

  /** Deletes acknowledged rows in one transaction, without an fsync of its own: a delete lost in a power cut is a duplicate, never a loss. */
  acknowledge(seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return Promise.resolve();
    const sql = `DELETE FROM ${this.table} WHERE seq = ?`;
    return this.committer.commit({ durable: false, steps: seqs.map((seq) => ({ kind: 'run', sql, params: [seq] })) });
  }

  /**
   * Deletes the `count` oldest rows of the lowest priority, never an alert (src/mqtt/outbox-guard.ts), and returns
   * their report seqs. Call inside the transaction that records the gap.
   */
  shedLowest(count: number): { shed: number; reportSeqs: number[] } {
    const rows = this.lowestStmt.all(MessagePriority.Alert, count) as Array<{ seq: number; report: number | null }>;
    for (const row of rows) this.deleteStmt.run(row.seq);
    // A row queued before the chain existed (schema v4) has no report seq: nothing to name.
    return { shed: rows.length, reportSeqs: rows.flatMap((row) => (typeof row.report === 'number' ? [row.report] : [])) };
  }

  stats(now: number): { depth: number; oldestAgeMs: number | null } {
    const row = this.statsStmt.get() as { depth: number; oldest: number | null };
    return { depth: row.depth, oldestAgeMs: row.oldest === null ? null : Math.max(0, now - row.oldest) };
  }
}
