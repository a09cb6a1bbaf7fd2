import type { OutgoingMessage } from '../contract/messages.js';
import type { Db } from './database.js';
import { GENESIS_HASH, stampReport, toRanges, type ReportSigner } from './report-chain-format.js';

export interface ChainHead {
  seq: number;
  hash: string;
}

export interface KeptReport {
  seq: number;
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
  priority: number;
}

/**
 * The gateway's report sequence and hash chain (report-chain-format.ts). A
 * report is stamped, kept in `report_log` and moves the head inside the
 * caller's transaction, with the outbox row it belongs to: a rolled-back
 * write leaves no number used, so the sequence has no gaps.
 */
export class ReportChain {
  private readonly headStmt;
  private readonly setHeadStmt;
  private readonly keepStmt;
  private readonly rangeStmt;
  private readonly boundsStmt;

  constructor(
    private readonly db: Db,
    readonly signer?: ReportSigner,
  ) {
    this.headStmt = db.prepare('SELECT seq, hash FROM report_head WHERE id = 1');
    this.setHeadStmt = db.prepare('INSERT INTO report_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash');
    this.keepStmt = db.prepare('INSERT INTO report_log (seq, hash, topic, payload, qos, retain, priority, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.rangeStmt = db.prepare('SELECT seq, topic, payload, qos, retain, priority FROM report_log WHERE seq BETWEEN ? AND ? ORDER BY seq');
    this.boundsStmt = db.prepare('SELECT min(seq) AS oldest FROM report_log');
  }

  head(): ChainHead {
    return (this.headStmt.get() as ChainHead | undefined) ?? { seq: 0, hash: GENESIS_HASH };
  }

  /** Stamps a message (seq, prev, hash; `signed`: kid and sig too). Call inside the caller's transaction. */
  append(message: OutgoingMessage, at: number, signed = false): OutgoingMessage {
    const head = this.head();
    const seq = head.seq + 1;
    const { payload, hash } = stampReport(JSON.parse(message.payload) as Record<string, unknown>, seq, head.hash, signed ? this.signer : undefined);
    this.keepStmt.run(seq, hash, message.topic, payload, message.qos, message.retain ? 1 : 0, message.priority, at);
    this.setHeadStmt.run(seq, hash);
    return { ...message, payload };
  }

  /**
   * The kept reports in [from, to] and the parts of the range that are not
   * kept: purged by retention (or shed before a gap record), or not assigned yet.
   */
  range(from: number, to: number): { reports: KeptReport[]; missing: Array<{ from: number; to: number; reason: 'purged' | 'not-assigned' }> } {
    const reports = (this.rangeStmt.all(from, to) as Array<{ seq: number; topic: string; payload: string; qos: number; retain: number; priority: number }>).map((row) => ({
      seq: row.seq,
      topic: row.topic,
      payload: row.payload,
      qos: row.qos === 0 ? (0 as const) : (1 as const),
      retain: row.retain === 1,
      priority: row.priority,
    }));
    const head = this.head().seq;
    const kept = new Set(reports.map((report) => report.seq));
    const absent: number[] = [];
    // Bounded by the command schema (at most RESEND_MAX seqs per range).
    for (let seq = from; seq <= to; seq += 1) if (!kept.has(seq)) absent.push(seq);
    const missing = toRanges(absent).flatMap((range) => {
      if (range.from > head) return [{ ...range, reason: 'not-assigned' as const }];
      if (range.to > head) return [{ from: range.from, to: head, reason: 'purged' as const }, { from: head + 1, to: range.to, reason: 'not-assigned' as const }];
      return [{ ...range, reason: 'purged' as const }];
    });
    return { reports, missing };
  }

  /** The oldest kept seq, or undefined when nothing is kept. */
  oldest(): number | undefined {
    return (this.boundsStmt.get() as { oldest: number | null }).oldest ?? undefined;
  }
}
