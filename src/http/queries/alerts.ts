import { AlertReads, type AlertRow } from '../../store/alert-reads.js';
import type { Db } from '../../store/database.js';
import { iso, isoOrNull, type AlertView } from '../schemas.js';
import { decodeCursor, page } from './cursor.js';

export interface AlertFilter {
  type?: string;
  acked?: boolean;
  cursor?: string;
}

/** The alerts table as the guard room sees it: listed, followed live (by rowid) and acknowledged. */
export class AlertQueries {
  private readonly reads: AlertReads;

  /** `reader`: where the lists and the live feed read (deps.ts, readerOf); the acknowledgement writes through `db`. */
  constructor(db: Db, reader: Db = db) {
    this.reads = new AlertReads(db, reader);
  }

  list(filter: AlertFilter, limit: number): { items: AlertView[]; nextCursor: string | null } {
    const after = decodeCursor(filter.cursor);
    const rows = this.reads.list({ ...(filter.type === undefined ? {} : { type: filter.type }), ...(filter.acked === undefined ? {} : { acked: filter.acked }), ...(after ? { after } : {}) }, limit + 1);
    return page(rows, limit, toView);
  }

  get(id: string): AlertView | undefined {
    const row = this.reads.get(id);
    return row && toView(row);
  }

  /** The highest rowid now: the live feed reports alerts after it. */
  lastRowId(): number {
    return this.reads.lastRowId();
  }

  /** Alerts written after `rowid`, oldest first, at most 100 per call. */
  since(rowid: number): Array<{ rowid: number; alert: AlertView }> {
    return this.reads.since(rowid).map((row) => ({ rowid: row.rowid, alert: toView(row) }));
  }

  /** The first acknowledgement wins; a second one changes nothing. Undefined for an unknown id. */
  acknowledge(id: string, by: string, at: number): AlertView | undefined {
    this.reads.acknowledge(id, by, at);
    return this.get(id);
  }
}

function toView(row: AlertRow): AlertView {
  return {
    id: row.id,
    at: iso(row.at),
    type: row.type,
    severity: row.severity,
    gate: row.gate,
    lane: row.lane,
    passageId: row.passage_id,
    reasons: JSON.parse(row.reasons) as string[],
    details: JSON.parse(row.details) as AlertView['details'],
    ackedAt: isoOrNull(row.acked_at),
    ackedBy: row.acked_by,
  };
}
