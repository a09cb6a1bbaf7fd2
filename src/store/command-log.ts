import type { Db } from './database.js';

/** One row of the `audit` table: every command, accepted or refused, as received (redacted by the caller). */
export interface AuditEntry {
  at: number;
  commandId: string;
  name: string;
  via: string;
  principal: string;
  role: string;
  ok: boolean;
  errorCode: string | null;
  body: string;
  reply: string;
}

/**
 * The `commands` table (every accepted id with its digest and reply) and the
 * `audit` table. Statements are prepared once; the caller redacts what it
 * stores (src/commands/audit-redaction.ts).
 */
export class CommandLog {
  private readonly findStmt;
  private readonly acceptStmt;
  private readonly auditStmt;
  private readonly acceptedByStmt;

  constructor(db: Db) {
    this.findStmt = db.prepare('SELECT digest, reply FROM commands WHERE id = ?');
    this.acceptStmt = db.prepare('INSERT INTO commands (id, name, digest, reply, at) VALUES (?, ?, ?, ?, ?)');
    this.auditStmt = db.prepare(`
      INSERT INTO audit (at, command_id, name, via, principal, role, ok, error_code, body, reply)
      VALUES (@at, @commandId, @name, @via, @principal, @role, @ok, @errorCode, @body, @reply)`);
    this.acceptedByStmt = db.prepare('SELECT principal FROM audit WHERE command_id = ? AND ok = 1 ORDER BY rowid LIMIT 1');
  }

  /** The accepted command `id`: its digest and its reply as stored (JSON). */
  find(id: string): { digest: string; reply: string } | undefined {
    return this.findStmt.get(id) as { digest: string; reply: string } | undefined;
  }

  accept(id: string, name: string, digest: string, reply: string, at: number): void {
    this.acceptStmt.run(id, name, digest, reply, at);
  }

  /** The principal of the first accepting audit row of command `id`. */
  acceptedBy(id: string): string | undefined {
    return (this.acceptedByStmt.get(id) as { principal: string } | undefined)?.principal;
  }

  writeAudit(row: AuditEntry): void {
    this.auditStmt.run({ ...row, ok: row.ok ? 1 : 0 });
  }
}
