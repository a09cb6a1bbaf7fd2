import { statementCache, type Db } from './database.js';
import { AFTER_CURSOR, cursorParams, whereClause, type Cursor } from './keyset.js';

export interface PassageRow {
  id: string;
  at: number;
  gate: string;
  lane: string;
  direction: 'in' | 'out';
  kind: string;
  credential: string;
  verdict: 'grant' | 'deny' | 'refer';
  reasons: string;
  rule: string;
  policy_version: string;
  temperature_c: number | null;
  mode: string;
  outcome: string | null;
}

export interface PassageRowFilter {
  gate?: string;
  lane?: string;
  verdict?: 'grant' | 'deny' | 'refer';
  /** Unix ms, inclusive. */
  from?: number;
  /** Unix ms, exclusive. */
  to?: number;
  after?: Cursor;
}

/** A passage as the lane-day counts need it. */
export interface PassageTally {
  at: number;
  gate: string;
  lane: string;
  verdict: string;
  reasons: string;
}

/** Passage reads for the page, the API and the CSV export; served by the (gate, at) and (at) indexes. Subject hashes are not read here. */
export class PassageReads {
  private readonly statement;
  private readonly rangeStmt;

  constructor(db: Db) {
    this.statement = statementCache(db);
    this.rangeStmt = db.prepare('SELECT at, gate, lane, verdict, reasons FROM passages WHERE at >= ? AND at <= ?');
  }

  /** Up to `limit` passages, newest first. */
  list(filter: PassageRowFilter, limit: number): PassageRow[] {
    const where = whereClause([
      filter.gate !== undefined && 'gate = @gate',
      filter.lane !== undefined && 'lane = @lane',
      filter.verdict !== undefined && 'verdict = @verdict',
      filter.from !== undefined && 'at >= @from',
      filter.to !== undefined && 'at < @to',
      filter.after !== undefined && AFTER_CURSOR,
    ]);
    const { after, ...bound } = filter;
    return this.statement(`
      SELECT id, at, gate, lane, direction, kind, credential, verdict, reasons, rule, policy_version, temperature_c, mode, outcome
      FROM passages ${where}
      ORDER BY at DESC, id DESC LIMIT @limit`).all({ ...bound, ...cursorParams(after), limit: Math.trunc(limit) }) as PassageRow[];
  }

  /** Passages of [from, to], read row by row. */
  between(from: number, to: number): IterableIterator<PassageTally> {
    return this.rangeStmt.iterate(from, to) as IterableIterator<PassageTally>;
  }
}
