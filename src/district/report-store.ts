import type { Range } from './verify-stream.js';
import { migrate } from './migrations.js';
import type { Sql } from './sql.js';

/** What the receiver keeps of one estate between messages and across its own restarts. */
export interface EstateState {
  estate: string;
  /** Everything up to here is stored as verified (a signed checkpoint covers it), or named by a signed gap record. */
  headSeq: number;
  /** Hash of the report at headSeq; null when headSeq is a shed report (the next link cannot be checked). */
  headHash: string | null;
  checkpoint: { seq: number; hash: string; ts: string } | null;
  /** Last signed sign of life: a checkpoint, a gap record or a verified report, at its own time (docs/district.md, "silent"). */
  lastSignAt: number | null;
  lastReportAt: number | null;
  /** As the estate's unsigned `…/status` last said: shown, never proof of life. */
  online: boolean | null;
  missing: Range[];
  explained: Range[];
}

export interface ReceivedReport {
  estate: string;
  seq: number;
  hash: string;
  prev: string;
  id: string;
  topic: string;
  /** The JSON exactly as received. */
  payload: string;
  ts: string | null;
  receivedAt: number;
  /** Arrived in answer to our cmd/resend: its delay is the gap's, not the estate's. */
  backfilled: boolean;
}

export interface Finding {
  estate: string;
  kind: string;
  seq: number | null;
  detail: string | null;
  at: number;
}

export const kindOf = (topic: string, prefix: string): string => topic.slice(prefix.length + 1).split('/')[0] ?? 'unknown';

/**
 * The district's store: verified reports keyed by (estate, seq) and by
 * (estate, id), written with INSERT … ON CONFLICT DO NOTHING so a redelivery
 * (at least once, a resend, the receiver's own restart) is harmless.
 */
export class ReportStore {
  private constructor(private readonly sql: Sql) {}

  static async open(sql: Sql): Promise<ReportStore> {
    await migrate(sql);
    return new ReportStore(sql);
  }

  get dialect(): Sql['dialect'] {
    return this.sql.dialect;
  }

  async estates(): Promise<EstateState[]> {
    const rows = await this.sql.all('SELECT * FROM estates ORDER BY estate');
    return rows.map((row) => ({
      estate: row.estate as string,
      headSeq: row.head_seq as number,
      headHash: row.head_hash as string | null,
      checkpoint: row.checkpoint_seq === null ? null : { seq: row.checkpoint_seq as number, hash: row.checkpoint_hash as string, ts: row.checkpoint_ts as string },
      lastSignAt: row.last_sign_at as number | null,
      lastReportAt: row.last_report_at as number | null,
      online: row.online === null ? null : row.online === 1,
      missing: JSON.parse(row.missing as string) as Range[],
      explained: JSON.parse(row.explained as string) as Range[],
    }));
  }

  async saveEstate(state: EstateState, sql: Sql = this.sql): Promise<void> {
    const values = [
      state.headSeq,
      state.headHash,
      state.checkpoint?.seq ?? null,
      state.checkpoint?.hash ?? null,
      state.checkpoint?.ts ?? null,
      state.lastSignAt,
      state.lastReportAt,
      state.online === null ? null : state.online ? 1 : 0,
      JSON.stringify(state.missing),
      JSON.stringify(state.explained),
    ];
    await sql.run(
      `INSERT INTO estates (estate, head_seq, head_hash, checkpoint_seq, checkpoint_hash, checkpoint_ts, last_sign_at, last_report_at, online, missing, explained)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (estate) DO UPDATE SET head_seq = excluded.head_seq, head_hash = excluded.head_hash, checkpoint_seq = excluded.checkpoint_seq,
         checkpoint_hash = excluded.checkpoint_hash, checkpoint_ts = excluded.checkpoint_ts, last_sign_at = excluded.last_sign_at,
         last_report_at = excluded.last_report_at, online = excluded.online, missing = excluded.missing, explained = excluded.explained`,
      [state.estate, ...values],
    );
  }

  async pending(estate: string): Promise<ReceivedReport[]> {
    const rows = await this.sql.all('SELECT * FROM pending WHERE estate = ? ORDER BY seq', [estate]);
    return rows.map((row) => {
      const payload = JSON.parse(row.payload as string) as Record<string, unknown>;
      return {
        estate,
        seq: row.seq as number,
        hash: row.hash as string,
        prev: payload.prev as string,
        id: String(payload.id ?? `seq-${String(row.seq)}`),
        topic: row.topic as string,
        payload: row.payload as string,
        ts: typeof payload.ts === 'string' ? payload.ts : null,
        receivedAt: row.received_at as number,
        backfilled: row.backfilled === 1,
      };
    });
  }

  /** Keeps a report that passed its own hash until it is verified; false when it was already held. */
  async addPending(report: ReceivedReport): Promise<boolean> {
    const changed = await this.sql.run(
      'INSERT INTO pending (estate, seq, hash, topic, payload, received_at, backfilled) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [report.estate, report.seq, report.hash, report.topic, report.payload, report.receivedAt, report.backfilled ? 1 : 0],
    );
    return changed > 0;
  }

  async dropPending(estate: string, seq: number, hash: string): Promise<void> {
    await this.sql.run('DELETE FROM pending WHERE estate = ? AND seq = ? AND hash = ?', [estate, seq, hash]);
  }

  /**
   * Stores verified reports and the estate's new state in one transaction; the
   * pending copies go. Returns how many were new (a redelivered one is not).
   */
  async promote(state: EstateState, reports: readonly ReceivedReport[], prefix: string, lateAfterMs: number): Promise<ReceivedReport[]> {
    return this.sql.transaction(async (tx) => {
      const stored: ReceivedReport[] = [];
      for (const report of reports) {
        const delay = report.ts === null ? null : report.receivedAt - Date.parse(report.ts);
        const late = !report.backfilled && delay !== null && delay > lateAfterMs ? 1 : 0;
        const changed = await tx.run(
          `INSERT INTO reports (estate, seq, id, topic, kind, ts, received_at, delay_ms, late, backfilled, prev, hash, payload)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
          [report.estate, report.seq, report.id, report.topic, kindOf(report.topic, prefix), report.ts, report.receivedAt, delay === null || Number.isNaN(delay) ? null : delay, late, report.backfilled ? 1 : 0, report.prev, report.hash, report.payload],
        );
        if (changed > 0) stored.push(report);
        await tx.run('DELETE FROM pending WHERE estate = ? AND seq = ?', [report.estate, report.seq]);
      }
      await this.saveEstate(state, tx);
      return stored;
    });
  }

  /** `hash` and `prev` of the verified report at seq. */
  async linkAt(estate: string, seq: number): Promise<{ hash: string; prev: string } | undefined> {
    const [row] = await this.sql.all<{ hash: string; prev: string }>('SELECT hash, prev FROM reports WHERE estate = ? AND seq = ?', [estate, seq]);
    return row;
  }

  /** `hash` and `prev` of every verified report above seq (beyond a hole the head has not passed). */
  async linksAbove(estate: string, seq: number): Promise<Array<{ seq: number; hash: string; prev: string }>> {
    return this.sql.all('SELECT seq, hash, prev FROM reports WHERE estate = ? AND seq > ? ORDER BY seq', [estate, seq]);
  }

  async addFinding(finding: Finding): Promise<void> {
    await this.sql.run('INSERT INTO findings (estate, kind, seq, detail, at) VALUES (?, ?, ?, ?, ?)', [finding.estate, finding.kind, finding.seq, finding.detail, finding.at]);
  }

  async findings(filter: { estate?: string; kind?: string; limit?: number } = {}): Promise<Finding[]> {
    const rows = await this.sql.all(
      'SELECT estate, kind, seq, detail, at FROM findings WHERE (CAST(? AS TEXT) IS NULL OR estate = ?) AND (CAST(? AS TEXT) IS NULL OR kind = ?) ORDER BY id DESC LIMIT ?',
      [filter.estate ?? null, filter.estate ?? null, filter.kind ?? null, filter.kind ?? null, filter.limit ?? 100],
    );
    return rows as unknown as Finding[];
  }

  async findingCounts(): Promise<Array<{ estate: string; kind: string; count: number }>> {
    return this.sql.all('SELECT estate, kind, COUNT(*) AS count FROM findings GROUP BY estate, kind');
  }

  async reports(estate: string, fromSeq = 0, limit = 1000): Promise<Array<{ seq: number; id: string; topic: string; late: number; backfilled: number; payload: string }>> {
    return this.sql.all('SELECT seq, id, topic, late, backfilled, payload FROM reports WHERE estate = ? AND seq >= ? ORDER BY seq LIMIT ?', [estate, fromSeq, limit]);
  }

  async reportCounts(): Promise<Array<{ estate: string; count: number; late: number }>> {
    return this.sql.all('SELECT estate, COUNT(*) AS count, SUM(late) AS late FROM reports GROUP BY estate');
  }

  /** Alerts received since `since` (epoch ms), verified or not yet, newest first. */
  async alerts(since: number, limit = 200): Promise<Array<{ estate: string; seq: number; verified: number; payload: string; received_at: number }>> {
    return this.sql.all(
      `SELECT estate, seq, 1 AS verified, payload, received_at FROM reports WHERE kind = 'alerts' AND received_at >= ?
       UNION ALL SELECT estate, seq, 0 AS verified, payload, received_at FROM pending WHERE topic LIKE '%/alerts/%' AND received_at >= ?
       ORDER BY received_at DESC LIMIT ?`,
      [since, since, limit],
    );
  }

  close(): Promise<void> {
    return this.sql.close();
  }
}
