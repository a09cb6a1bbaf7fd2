import type { CommandReply } from '../../commands/types.js';
import { CommandReads, type AuditRowFilter } from '../../store/command-reads.js';
import type { Db } from '../../store/database.js';
import { iso, type AuditView } from '../schemas.js';

/** The command audit trail (written by the command service), newest first. */
export class AuditQueries {
  private readonly reads: CommandReads;

  constructor(db: Db) {
    this.reads = new CommandReads(db);
  }

  list(filter: AuditRowFilter, limit: number): { items: AuditView[]; nextCursor: string | null } {
    const rows = this.reads.audit(filter, limit + 1);
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
        ...whatItAnswered(JSON.parse(row.reply) as CommandReply),
        body: JSON.parse(row.body) as unknown,
      })),
      nextCursor: rows.length > limit && last ? String(last.seq) : null,
    };
  }
}

/** Why a command was refused, or what an accepted one asked to check; never its data (a pass id, a code's digest). */
function whatItAnswered(reply: CommandReply): Pick<AuditView, 'message' | 'warnings'> {
  return { message: reply.error?.message ?? null, ...(reply.warnings ? { warnings: reply.warnings } : {}) };
}
