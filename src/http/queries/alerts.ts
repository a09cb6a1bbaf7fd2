import type { Db } from '../../store/database.js';
import { iso, isoOrNull, type AlertView } from '../schemas.js';
import { AFTER_CURSOR, decodeCursor, page } from './cursor.js';

export interface AlertFilter {
  type?: string;
  acked?: boolean;
  cursor?: string;
}

interface AlertRow {
  rowid: number;
  id: string;
  at: number;
  type: string;
  severity: 'info' | 'warning' | 'critical';
  gate: string | null;
  lane: string | null;
  passage_id: string | null;
  reasons: string;
  details: string;
  acked_at: number | null;
  acked_by: string | null;
}

const COLUMNS = 'rowid, id, at, type, severity, gate, lane, passage_id, reasons, details, acked_at, acked_by';

/** The alerts table as the guard room sees it: listed, followed live (by rowid) and acknowledged. */
export class AlertQueries {
  private readonly byIdStmt;
  private readonly sinceStmt;
  private readonly lastRowStmt;
  private readonly ackStmt;

  /** `reader`: where the lists and the live feed read (deps.ts, readerOf); the acknowledgement writes through `db`. */
  constructor(
    db: Db,
    private readonly reader: Db = db,
  ) {
    this.byIdStmt = reader.prepare(`SELECT ${COLUMNS} FROM alerts WHERE id = ?`);
    this.sinceStmt = reader.prepare(`SELECT ${COLUMNS} FROM alerts WHERE rowid > ? ORDER BY rowid LIMIT 100`);
    this.lastRowStmt = reader.prepare('SELECT coalesce(max(rowid), 0) AS last FROM alerts');
    this.ackStmt = db.prepare('UPDATE alerts SET acked_at = ?, acked_by = ? WHERE id = ? AND acked_at IS NULL');
  }

  list(filter: AlertFilter, limit: number): { items: AlertView[]; nextCursor: string | null } {
    const where = [
      filter.type === undefined ? '' : 'type = @type',
      filter.acked === undefined ? '' : filter.acked ? 'acked_at IS NOT NULL' : 'acked_at IS NULL',
      filter.cursor === undefined ? '' : AFTER_CURSOR,
    ].filter(Boolean);
    const cursor = decodeCursor(filter.cursor);
    const rows = this.reader
      .prepare(`SELECT ${COLUMNS} FROM alerts ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ${Math.trunc(limit) + 1}`)
      .all({ ...(filter.type === undefined ? {} : { type: filter.type }), ...(cursor ? { cursorAt: cursor.at, cursorId: cursor.id } : {}) }) as AlertRow[];
    return page(rows, limit, toView);
  }

  get(id: string): AlertView | undefined {
    const row = this.byIdStmt.get(id) as AlertRow | undefined;
    return row && toView(row);
  }

  /** The highest rowid now: the live feed reports alerts after it. */
  lastRowId(): number {
    return (this.lastRowStmt.get() as { last: number }).last;
  }

  /** Alerts written after `rowid`, oldest first, at most 100 per call. */
  since(rowid: number): Array<{ rowid: number; alert: AlertView }> {
    return (this.sinceStmt.all(rowid) as AlertRow[]).map((row) => ({ rowid: row.rowid, alert: toView(row) }));
  }

  /** The first acknowledgement wins; a second one changes nothing. Undefined for an unknown id. */
  acknowledge(id: string, by: string, at: number): AlertView | undefined {
    this.ackStmt.run(at, by, id);
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
