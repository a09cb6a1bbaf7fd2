import { createHash } from 'node:crypto';
import type { Db } from '../store/database.js';
import { redactBody, redactReply, type SubjectHash } from './audit-redaction.js';
import { canonicalJson } from './signature.js';
import type { CommandReply, CommandRequest } from './types.js';

/** What the chained `…/audit` report says of an audit row (src/mqtt/payloads.ts, AuditPayload). */
export interface AuditSummary {
  ts: string;
  commandId: string;
  name: string;
  via: 'mqtt' | 'http' | 'cli';
  principal: string;
  role: string;
  ok: boolean;
  errorCode: string | null;
  mode?: { mode: 'normal' | 'lockdown' | 'emergency-open'; gates: string[] | null; reason: string; by: string; expiresAt: string | null; drill: boolean };
}

/** Queues an audit row's chained summary; runs inside the row's transaction, so a failure rolls the row back. */
export type AuditSink = (summary: AuditSummary, at: number) => void;

export interface AcceptedCommand {
  digest: string;
  reply: CommandReply;
}

/**
 * The memory of the command path: every accepted id with its reply (so a
 * retry gets the same answer and is not applied twice, across restarts) and
 * the audit trail of every command, accepted or refused. Both keep subjects
 * as keyed hashes and no pass text (audit-redaction.ts).
 */
export class CommandStore {
  private readonly findStmt;
  private readonly acceptStmt;
  private readonly auditStmt;
  constructor(
    readonly db: Db,
    private readonly hash: SubjectHash,
    /** Queues the chained summary of each audit row, in the row's transaction (docs/district.md). */
    private readonly queueAudit: AuditSink,
  ) {
    this.findStmt = db.prepare('SELECT digest, reply FROM commands WHERE id = ?');
    this.acceptStmt = db.prepare('INSERT INTO commands (id, name, digest, reply, at) VALUES (?, ?, ?, ?, ?)');
    this.auditStmt = db.prepare(`
      INSERT INTO audit (at, command_id, name, via, principal, role, ok, error_code, body, reply)
      VALUES (@at, @commandId, @name, @via, @principal, @role, @ok, @errorCode, @body, @reply)`);
  }

  /** What identifies a command's content: its name and body without the signature. */
  static digest(name: string, body: unknown): string {
    const content = body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...(body as Record<string, unknown>), sig: undefined } : body;
    return createHash('sha256').update(`${name}\n${canonicalJson(content)}`).digest('base64url');
  }

  find(id: string): AcceptedCommand | undefined {
    const row = this.findStmt.get(id) as { digest: string; reply: string } | undefined;
    return row && { digest: row.digest, reply: JSON.parse(row.reply) as CommandReply };
  }

  /** Whether the accepted command `id` was sent by `principal` (a signed one is audited as `<principal> key:<kid>`). */
  acceptedFrom(id: string, principal: string): boolean {
    const row = this.db.prepare('SELECT principal FROM audit WHERE command_id = ? AND ok = 1 ORDER BY rowid LIMIT 1').get(id) as { principal: string } | undefined;
    return row !== undefined && (row.principal === principal || row.principal.startsWith(`${principal} key:`));
  }

  /** Call inside the transaction that applies the command. */
  accept(request: CommandRequest, digest: string, reply: CommandReply): void {
    this.acceptStmt.run(request.id, request.name, digest, JSON.stringify(redactReply(reply)), request.receivedAt);
  }

  audit(request: Pick<CommandRequest, 'id' | 'actor' | 'receivedAt' | 'body'> & { name: string }, reply: CommandReply): void {
    this.db.transaction(() => {
      this.writeAudit(request, reply);
      this.queueAudit(auditSummary(request, reply), request.receivedAt);
    })();
  }

  private writeAudit(request: Pick<CommandRequest, 'id' | 'actor' | 'receivedAt' | 'body'> & { name: string }, reply: CommandReply): void {
    this.auditStmt.run({
      at: request.receivedAt,
      commandId: request.id,
      name: request.name,
      via: request.actor.via,
      principal: request.actor.principal,
      role: request.actor.role,
      ok: reply.ok ? 1 : 0,
      errorCode: reply.error?.code ?? null,
      body: auditBody(redactBody(request.name, request.body, this.hash)),
      reply: JSON.stringify(redactReply(reply)),
    });
  }
}

/** An accepted mode change is in the summary itself: the district learns the mode, and its expiry, from the chain. */
function auditSummary(request: Pick<CommandRequest, 'id' | 'actor' | 'receivedAt' | 'body'> & { name: string }, reply: CommandReply): AuditSummary {
  const summary: AuditSummary = {
    ts: new Date(request.receivedAt).toISOString(),
    commandId: request.id,
    name: request.name,
    via: request.actor.via,
    principal: request.actor.principal,
    role: request.actor.role,
    ok: reply.ok,
    errorCode: reply.error?.code ?? null,
  };
  if (!reply.ok || (request.name !== 'lockdown' && request.name !== 'mode')) return summary;
  const body = request.body as { mode?: 'normal' | 'lockdown' | 'emergency-open'; gates?: string[]; reason: string; by: string; expiresAt?: string; drill?: boolean };
  const mode = request.name === 'lockdown' ? 'lockdown' : (body.mode ?? 'normal');
  return { ...summary, mode: { mode, gates: body.gates ?? null, reason: body.reason, by: body.by, expiresAt: body.expiresAt ?? null, drill: body.drill === true } };
}

/** The body as received, bounded: a refused command may be arbitrarily large or not JSON at all. */
function auditBody(body: unknown): string {
  const text = typeof body === 'string' ? JSON.stringify(body) : (JSON.stringify(body) ?? 'null');
  return text.length > 16_384 ? JSON.stringify({ truncated: text.slice(0, 16_384) }) : text;
}
