import type { Db } from '../../store/database.js';
import { iso, type AuditView } from '../schemas.js';

export interface AuditFilter {
  name?: string;
  principal?: string;
  /** Rows with a smaller seq (the next page, newest first). */
  beforeSeq?: number;
}

interface AuditRow {
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
}

/** The command audit trail (written by the command service), newest first. */
export class AuditQueries {
  constructor(private readonly db: Db) {}

  list(filter: AuditFilter, limit: number): { items: AuditView[]; nextCursor: string | null } {
    const where = [
      filter.name === undefined ? '' : 'name = @name',
      filter.principal === undefined ? '' : 'principal = @principal',
      filter.beforeSeq === undefined ? '' : 'seq < @beforeSeq',
    ].filter(Boolean);
    const rows = this.db
      .prepare(`SELECT seq, at, command_id, name, via, principal, role, ok, error_code, body FROM audit ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ${Math.trunc(limit) + 1}`)
      .all(filter) as AuditRow[];
    const kept = rows.slice(0, limit);
    const last = kept[kept.length - 1];
    return {
      items: kept.map((row) => ({
        seq: row.seq,
        at: iso(row.at),
        commandId: row.command_id,
        name: row.name,
        via: row.via,
        principal: row.principal,
        role: row.role,
        ok: row.ok === 1,
        errorCode: row.error_code,
        body: JSON.parse(row.body) as unknown,
      })),
      nextCursor: rows.length > limit && last ? String(last.seq) : null,
    };
  }
}
