import { statementCache, type Db } from './database.js';
import { whereClause } from './keyset.js';

export interface AuditRow {
  seq: number;
  at: number;
  command_id: string;
  name: string;
  via: string;
  principal: string;
  role: string;
  ok: number;
  error_code: string | null;
  body: string;
  reply: string;
}

export interface AuditRowFilter {
  name?: string;
  principal?: string;
  /** Rows with a smaller seq (the next page, newest first). */
  beforeSeq?: number;
}

export interface IssuedExitPassRow {
  id: string;
  household: string | null;
  reason: string;
  issued_by: string;
  valid_from: number;
  return_by: number;
  left_at: number | null;
  returned_at: number | null;
  revoked_at: number | null;
}

/** What the commands left for the API to read: the audit trail and the exit passes. */
export class CommandReads {
  private readonly statement;
  private readonly exitPassesStmt;

  constructor(db: Db) {
    this.statement = statementCache(db);
    this.exitPassesStmt = db.prepare('SELECT id, household, reason, issued_by, valid_from, return_by, left_at, returned_at, revoked_at FROM exit_passes ORDER BY valid_from DESC, id LIMIT ?');
  }

  /** Up to `limit` audit rows, newest first. */
  audit(filter: AuditRowFilter, limit: number): AuditRow[] {
    const where = whereClause([filter.name !== undefined && 'name = @name', filter.principal !== undefined && 'principal = @principal', filter.beforeSeq !== undefined && 'seq < @beforeSeq']);
    return this.statement(`SELECT seq, at, command_id, name, via, principal, role, ok, error_code, body, reply FROM audit ${where} ORDER BY seq DESC LIMIT @limit`).all({
      ...filter,
      limit: Math.trunc(limit),
    }) as AuditRow[];
  }

  /** Exit passes, newest first; the subject hash is not read. */
  exitPasses(limit: number): IssuedExitPassRow[] {
    return this.exitPassesStmt.all(limit) as IssuedExitPassRow[];
  }
}
