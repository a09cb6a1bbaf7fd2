import { createHash } from 'node:crypto';
import type { Mode } from '../core/mode.js';
import { CommandLog } from '../store/command-log.js';
import type { Db } from '../store/database.js';
import { redactBody, redactReply, type SubjectHash } from './audit-redaction.js';
import { canonicalJson } from '../contract/signature.js';
import type { CommandReply, CommandRequest } from './types.js';

/** What the chained `…/audit` report says of an audit row (src/contract/report-payloads.ts, AuditPayload). */
export interface AuditSummary {
  ts: string;
  commandId: string;
  name: string;
  via: 'mqtt' | 'http' | 'cli';
  principal: string;
  role: string;
  ok: boolean;
  errorCode: string | null;
  mode?: { mode: Mode; gates: string[] | null; reason: string; by: string; expiresAt: string | null; drill: boolean };
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
  private readonly rows: CommandLog;

  constructor(
    readonly db: Db,
    private readonly hash: SubjectHash,
    /** Queues the chained summary of each audit row, in the row's transaction (docs/district.md). */
    private readonly queueAudit: AuditSink,
  ) {
    this.rows = new CommandLog(db);
  }

  /** What identifies a command's content: its name and body without the signature. */
  static digest(name: string, body: unknown): string {
    const content = body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...(body as Record<string, unknown>), sig: undefined } : body;
    return createHash('sha256').update(`${name}\n${canonicalJson(content)}`).digest('base64url');
  }

  find(id: string): AcceptedCommand | undefined {
    const row = this.rows.find(id);
    return row && { digest: row.digest, reply: JSON.parse(row.reply) as CommandReply };
  }

  /** Whether the accepted command `id` was sent by `principal` (a signed one is audited as `<principal> key:<kid>`). */
  acceptedFrom(id: string, principal: string): boolean {
    const acceptedBy = this.rows.acceptedBy(id);
    return acceptedBy !== undefined && (acceptedBy === principal || acceptedBy.startsWith(`${principal} key:`));
  }

  /** Call inside the transaction that applies the command. */
  accept(request: CommandRequest, digest: string, reply: CommandReply): void {
    this.rows.accept(request.id, request.name, digest, JSON.stringify(redactReply(reply)), request.receivedAt);
  }

  audit(request: Pick<CommandRequest, 'id' | 'actor' | 'receivedAt' | 'body'> & { name: string }, reply: CommandReply): void {
    this.db.transaction(() => {
      this.writeAudit(request, reply);
      this.queueAudit(auditSummary(request, reply), request.receivedAt);
    })();
  }

  private writeAudit(request: Pick<CommandRequest, 'id' | 'actor' | 'receivedAt' | 'body'> & { name: string }, reply: CommandReply): void {
    this.rows.writeAudit({
      at: request.receivedAt,
      commandId: request.id,
      name: request.name,
      via: request.actor.via,
      principal: request.actor.principal,
      role: request.actor.role,
      ok: reply.ok,
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
  const body = request.body as { mode?: Mode; gates?: string[]; reason: string; by: string; expiresAt?: string; drill?: boolean };
  const mode = request.name === 'lockdown' ? 'lockdown' : (body.mode ?? 'normal');
  return { ...summary, mode: { mode, gates: body.gates ?? null, reason: body.reason, by: body.by, expiresAt: body.expiresAt ?? null, drill: body.drill === true } };
}

/** The body as received, bounded: a refused command may be arbitrarily large or not JSON at all. */
function auditBody(body: unknown): string {
  const text = typeof body === 'string' ? JSON.stringify(body) : (JSON.stringify(body) ?? 'null');
  return text.length > 16_384 ? JSON.stringify({ truncated: text.slice(0, 16_384) }) : text;
}
