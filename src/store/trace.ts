import type { Db } from './database.js';

/**
 * Movement trails and contacts for investigators (estate plan, rule 6). Both
 * queries start from a subject hash: a raw id is hashed with the estate key
 * first, exactly as the journal stored it. The indexes on (subject_hash, at)
 * and (gate, at) serve them.
 */

export interface TrailEntry {
  passageId: string;
  at: number;
  gate: string;
  lane: string;
  direction: string;
  verdict: string;
  reasons: string[];
  temperatureC: number | null;
  outcome: string | null;
}

export interface Contact {
  subject: string;
  /** Passages of this subject within the window of one of the trail's passages. */
  encounters: number;
  closestMs: number;
  gates: string[];
  firstAt: number;
  lastAt: number;
}

export interface TraceRange {
  subjectHash: string;
  from: number;
  to: number;
}

export class TraceQueries {
  private readonly trailStmt;
  private readonly contactsStmt;

  constructor(db: Db) {
    this.trailStmt = db.prepare(`
      SELECT id, at, gate, lane, direction, verdict, reasons, temperature_c, outcome
      FROM passages WHERE subject_hash = ? AND at BETWEEN ? AND ? ORDER BY at`);
    this.contactsStmt = db.prepare(`
      SELECT o.subject_hash AS subject, count(*) AS encounters, min(abs(o.at - t.at)) AS closest,
             group_concat(DISTINCT o.gate) AS gates, min(o.at) AS first_at, max(o.at) AS last_at
      FROM passages t
      JOIN passages o ON o.gate = t.gate AND o.at BETWEEN t.at - @window AND t.at + @window
      WHERE t.subject_hash = @subject AND t.at BETWEEN @from AND @to
        AND o.subject_hash IS NOT NULL AND o.subject_hash != @subject
      GROUP BY o.subject_hash
      ORDER BY encounters DESC, closest ASC
      LIMIT @limit`);
  }

  trail({ subjectHash, from, to }: TraceRange): TrailEntry[] {
    const rows = this.trailStmt.all(subjectHash, from, to) as Array<{
      id: string;
      at: number;
      gate: string;
      lane: string;
      direction: string;
      verdict: string;
      reasons: string;
      temperature_c: number | null;
      outcome: string | null;
    }>;
    return rows.map((row) => ({
      passageId: row.id,
      at: row.at,
      gate: row.gate,
      lane: row.lane,
      direction: row.direction,
      verdict: row.verdict,
      reasons: JSON.parse(row.reasons) as string[],
      temperatureC: row.temperature_c,
      outcome: row.outcome,
    }));
  }

  /** Others who passed the same gate within ±windowMs of the subject, most encounters first, then closest. */
  contacts(range: TraceRange, windowMs: number, limit = 200): Contact[] {
    const rows = this.contactsStmt.all({ subject: range.subjectHash, from: range.from, to: range.to, window: windowMs, limit }) as Array<{
      subject: string;
      encounters: number;
      closest: number;
      gates: string;
      first_at: number;
      last_at: number;
    }>;
    return rows.map((row) => ({
      subject: row.subject,
      encounters: row.encounters,
      closestMs: row.closest,
      gates: row.gates.split(','),
      firstAt: row.first_at,
      lastAt: row.last_at,
    }));
  }
}
