import { statementCache, type Db } from './database.js';
import { AFTER_CURSOR, cursorParams, whereClause, type Cursor } from './keyset.js';

export interface AlertRow {
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

export interface AlertRowFilter {
  type?: string;
  acked?: boolean;
  after?: Cursor;
}

const COLUMNS = 'rowid, id, at, type, severity, gate, lane, passage_id, reasons, details, acked_at, acked_by';

/** The alerts table as the guard room reads it: listed, followed live (by rowid) and acknowledged. */
export class AlertReads {
  private readonly statement;
  private readonly byIdStmt;
  private readonly sinceStmt;
  private readonly lastRowStmt;
  private readonly ackStmt;

  /** `reader`: where the lists and the live feed read (a read-only connection waits for no commit); the acknowledgement writes through `db`. */
  constructor(db: Db, reader: Db = db) {
    this.statement = statementCache(reader);
    this.byIdStmt = reader.prepare(`SELECT ${COLUMNS} FROM alerts WHERE id = ?`);
    this.sinceStmt = reader.prepare(`SELECT ${COLUMNS} FROM alerts WHERE rowid > ? ORDER BY rowid LIMIT 100`);
    this.lastRowStmt = reader.prepare('SELECT coalesce(max(rowid), 0) AS last FROM alerts');
    this.ackStmt = db.prepare('UPDATE alerts SET acked_at = ?, acked_by = ? WHERE id = ? AND acked_at IS NULL');
  }

  /** Up to `limit` alerts, newest first. */
  list(filter: AlertRowFilter, limit: number): AlertRow[] {
    const where = whereClause([
      filter.type !== undefined && 'type = @type',
      filter.acked !== undefined && (filter.acked ? 'acked_at IS NOT NULL' : 'acked_at IS NULL'),
      filter.after !== undefined && AFTER_CURSOR,
    ]);
    return this.statement(`SELECT ${COLUMNS} FROM alerts ${where} ORDER BY at DESC, id DESC LIMIT @limit`).all({
      ...(filter.type === undefined ? {} : { type: filter.type }),
      ...cursorParams(filter.after),
      limit: Math.trunc(limit),
    }) as AlertRow[];
  }

  get(id: string): AlertRow | undefined {
    return this.byIdStmt.get(id) as AlertRow | undefined;
  }

  /** The highest rowid now. */
  lastRowId(): number {
    return (this.lastRowStmt.get() as { last: number }).last;
  }

  /** Alerts written after `rowid`, oldest first, at most 100 per call. */
  since(rowid: number): AlertRow[] {
    return this.sinceStmt.all(rowid) as AlertRow[];
  }

  /** The first acknowledgement wins; a second one changes nothing. */
  acknowledge(id: string, by: string, at: number): void {
    this.ackStmt.run(at, by, id);
  }
}
