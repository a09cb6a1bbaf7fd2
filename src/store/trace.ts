import type { Db } from './database.js';

/**
 * Movement trails and contacts for investigators (estate plan, rule 6). Both
 * queries start from the hashes of one person (or vehicle): a raw id is hashed
 * with the estate key first, exactly as the journal stored it, and
 * person-hashes.ts lists every hash a person's passages may carry. A passage
 * belongs to the trail when its person or its vehicle is one of them. The
 * indexes on (subject_hash, at), (vehicle_hash, at) and (gate, at) serve them.
 */

export interface TrailEntry {
  passageId: string;
  at: number;
  gate: string;
  lane: string;
  direction: string;
  /** What was shown: card, health-pass, visitor-pass, plate. */
  credential: string;
  verdict: string;
  reasons: string[];
  temperatureC: number | null;
  outcome: string | null;
}

export interface Contact {
  /** The person's hash, or the plate's when no one in the vehicle was identified. */
  subject: string;
  /** Passages of this subject within the window of one of the trail's passages. */
  encounters: number;
  closestMs: number;
  gates: string[];
  firstAt: number;
  lastAt: number;
}

export interface TraceRange {
  /** Every hash of the person (or vehicle): a person is never their own contact. */
  hashes: readonly string[];
  from: number;
  to: number;
}

/** The CSV columns of a trail and of its contacts (`/api/trace`, `gatewarden trace`). */
export const TRAIL_COLUMNS = ['time', 'gate', 'lane', 'direction', 'verdict', 'reasons', 'temperatureC', 'outcome', 'passageId'] as const;
export const CONTACT_COLUMNS = ['subject', 'encounters', 'closestMs', 'gates', 'first', 'last'] as const;

export class TraceQueries {
  private readonly trailStmt;
  private readonly contactsStmt;

  constructor(db: Db) {
    // json_each: one statement for any number of hashes; the range inside each arm keeps both index searches bounded by time.
    const inRange = (column: string) => `(t.${column} IN (SELECT value FROM json_each(@hashes)) AND t.at BETWEEN @from AND @to)`;
    const trailOf = `(${inRange('subject_hash')} OR ${inRange('vehicle_hash')})`;
    this.trailStmt = db.prepare(`
      SELECT id, at, gate, lane, direction, credential, verdict, reasons, temperature_c, outcome
      FROM passages t WHERE ${trailOf} ORDER BY at`);
    // A passage of the target, inside the range or not, is never a contact: the same person under any of their hashes.
    this.contactsStmt = db.prepare(`
      SELECT coalesce(o.subject_hash, o.vehicle_hash) AS subject, count(*) AS encounters, min(abs(o.at - t.at)) AS closest,
             group_concat(DISTINCT o.gate) AS gates, min(o.at) AS first_at, max(o.at) AS last_at
      FROM passages t
      JOIN passages o ON o.gate = t.gate AND o.at BETWEEN t.at - @window AND t.at + @window
      WHERE ${trailOf}
        AND coalesce(o.subject_hash, o.vehicle_hash) IS NOT NULL
        AND NOT coalesce(o.subject_hash IN (SELECT value FROM json_each(@hashes)) OR o.vehicle_hash IN (SELECT value FROM json_each(@hashes)), 0)
      GROUP BY 1
      ORDER BY encounters DESC, closest ASC
      LIMIT @limit`);
  }

  trail({ hashes, from, to }: TraceRange): TrailEntry[] {
    const rows = this.trailStmt.all({ hashes: JSON.stringify(hashes), from, to }) as Array<{
      id: string;
      at: number;
      gate: string;
      lane: string;
      direction: string;
      credential: string;
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
      credential: row.credential,
      verdict: row.verdict,
      reasons: JSON.parse(row.reasons) as string[],
      temperatureC: row.temperature_c,
      outcome: row.outcome,
    }));
  }

  /** Others who passed the same gate within ±windowMs of the subject, most encounters first, then closest. */
  contacts(range: TraceRange, windowMs: number, limit = 200): Contact[] {
    const rows = this.contactsStmt.all({ hashes: JSON.stringify(range.hashes), from: range.from, to: range.to, window: windowMs, limit }) as Array<{
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
