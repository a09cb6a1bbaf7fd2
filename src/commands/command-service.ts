import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { Code, type ErrorCode } from '../errors.js';
import type { CommandsConfig } from './config-schema.js';
import { makeValidator, type Validator } from '../schema/validate.js';
import type { Applied, Appliers, ApplyContext, ApplyDeps } from './applier.js';
import { mayIssue, type ActorRole } from './command-roles.js';
import { valueDepth, type PayloadLimits } from './command-payload.js';
import { COMMAND_NAMES, CommandSchemas, type CommandBodies, type CommandName } from '../contract/command-schemas.js';
import { CommandStore, type AuditSink } from './command-store.js';
import { CommandRecords } from '../store/command-records.js';
import { applyMode, applyOpen } from './mode-commands.js';
import { applyExitPass, applyRevokePass, applyVisitor, withVisitorCode } from './pass-commands.js';
import { applyDrill, applyLists, applyPolicy, applyRoster } from './record-commands.js';
import { applyResend } from './resend-command.js';
import { ed25519PublicKey, verifySignature } from '../contract/signature.js';
import type { CommandReply, CommandRequest, CommandService } from './types.js';

const APPLIERS: Appliers = {
  lockdown: (body, deps, ctx) => applyMode('lockdown', body, deps, ctx),
  mode: (body, deps, ctx) => applyMode(body.mode, body, deps, ctx),
  open: applyOpen,
  roster: applyRoster,
  lists: applyLists,
  'exit-pass': applyExitPass,
  visitor: applyVisitor,
  'revoke-pass': applyRevokePass,
  policy: applyPolicy,
  drill: applyDrill,
  resend: applyResend,
};

const validators = Object.fromEntries(COMMAND_NAMES.map((name) => [name, makeValidator(CommandSchemas[name])])) as Record<CommandName, Validator<(typeof CommandSchemas)[CommandName]>>;

export function isCommandName(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

/** Roles whose keys several estates may trust (a district, a neighbourhood's epidemic-control group): their commands name the estate. */
const SHARED_KEY_ROLES: readonly ActorRole[] = ['approver', 'district'];

/**
 * The one path every command takes, from MQTT or HTTP: validate → de-duplicate
 * by id → verify the signature → authorize → apply and persist (with the audit
 * row, in one transaction) → act. Every command leaves an audit row; a refused
 * one changes nothing else.
 */
export class GatewayCommandService implements CommandService {
  readonly store: CommandStore;
  private readonly deps: ApplyDeps;
  private readonly keys: ReadonlyMap<string, { key: KeyObject; role: ActorRole }>;
  private readonly log: Logger;

  constructor(
    deps: Omit<ApplyDeps, 'records'>,
    private readonly config: CommandsConfig,
    queueAudit: AuditSink,
    /** estate.id: a command naming another estate is refused, and the keys several estates trust must name it. */
    private readonly estateId: string,
  ) {
    this.deps = { ...deps, records: new CommandRecords(deps.db) };
    this.store = new CommandStore(deps.db, deps.hashSubject, queueAudit);
    this.keys = new Map(config.keys.map((k) => [k.kid, { key: ed25519PublicKey(k.publicKey), role: k.role }]));
    this.log = deps.log.child({ module: 'commands' });
  }

  /** How big and how deep a payload may be before it is parsed (commands.maxPayloadBytes, commands.maxDepth). */
  get payloadLimits(): PayloadLimits {
    return { maxBytes: this.config.maxPayloadBytes, maxDepth: this.config.maxDepth };
  }

  async execute(request: CommandRequest): Promise<CommandReply> {
    const started = process.hrtime.bigint();
    let reply: CommandReply;
    try {
      reply = this.run(request);
    } catch (error) {
      // A storage fault while applying: nothing was committed, the sender may retry with the same id.
      this.log.error({ command: request.name, id: request.id, err: (error as Error).message, code: Code.GW_STORAGE }, 'command failed');
      reply = refusal(request.id, 'GW_STORAGE', (error as Error).message);
      this.tryAudit(request, reply);
    }
    const tookMs = Number(process.hrtime.bigint() - started) / 1e6;
    const log = reply.ok ? this.log.info.bind(this.log) : this.log.warn.bind(this.log);
    log({ command: request.name, id: request.id, actor: request.actor, ok: reply.ok, error: reply.error?.code, warnings: reply.warnings, tookMs }, reply.ok ? 'command applied' : 'command refused');
    return reply;
  }

  acceptedReply(id: string): CommandReply | undefined {
    return this.store.find(id)?.reply;
  }

  /** Audits and answers a refused command; also for refusals before the service (retained, not JSON, unknown name). */
  refuse(request: Omit<CommandRequest, 'name'> & { name: string }, code: ErrorCode, message: string, details?: string[]): CommandReply {
    const reply = refusal(request.id, code, message, details);
    this.tryAudit(request, reply);
    return reply;
  }

  private run(request: CommandRequest): CommandReply {
    const { id, name, body } = request;
    const refuse = (code: ErrorCode, message: string, details?: string[]) => this.refuse(request, code, message, details);
    if (!isCommandName(name)) return refuse('GW_COMMAND_INVALID', `unknown command ${JSON.stringify(name)}`);
    // Before any recursive walk (validator, digest, audit): an HTTP body arrives parsed, past the MQTT payload scanner.
    if (valueDepth(body, this.config.maxDepth) > this.config.maxDepth) {
      return this.refuse({ ...request, body: { tooDeep: true } }, 'GW_COMMAND_INVALID', `body is nested deeper than ${this.config.maxDepth} levels`, [`(root): at most ${this.config.maxDepth} levels of objects and arrays`]);
    }
    const errors = validators[name].check(body);
    if (errors.length > 0) return refuse('GW_COMMAND_INVALID', `invalid ${name} command`, errors);
    const fields = body as Record<string, unknown>;
    if (fields.id !== undefined && fields.id !== id) return refuse('GW_COMMAND_INVALID', 'body id differs from the command id', ['id: expected the command id']);
    if (fields.estate !== undefined && fields.estate !== this.estateId) {
      return refuse('GW_COMMAND_INVALID', `command is for estate ${JSON.stringify(fields.estate)}, not ${JSON.stringify(this.estateId)}`, [`estate: expected ${JSON.stringify(this.estateId)}`]);
    }

    const digest = CommandStore.digest(name, body);
    const seen = this.store.find(id);
    if (seen) {
      if (seen.digest !== digest) return refuse('GW_COMMAND_REPLAYED', `command id ${id} was already used for another command`);
      // A retry is held to the signature and its time window like the first send (found from outside: a command
      // seen on the wire, resent minutes later by another console, was answered with its data).
      const retrySigner = this.checkSignature(fields, request);
      if ('code' in retrySigner) return refuse(retrySigner.code, retrySigner.message);
      // The same answer, applied once. Its data (a visitor's code, made again: it is not stored) goes back only to
      // whoever sent the command first; anyone else resending it learns that it was applied, nothing more.
      this.store.audit(request, seen.reply);
      if (!this.store.acceptedFrom(id, request.actor.principal)) return withoutData(seen.reply);
      return name === 'visitor' ? withVisitorCode(seen.reply, body as CommandBodies['visitor'], this.deps) : seen.reply;
    }

    const signer = this.checkSignature(fields, request);
    if ('code' in signer) return refuse(signer.code, signer.message);
    const role = signer.role ?? request.actor.role;
    const principal = signer.kid ? `${request.actor.principal} key:${signer.kid}` : request.actor.principal;
    // From here the audit row names the signer: a signed exit pass is the approver's key's, whoever relayed it.
    const signed: CommandRequest = { ...request, actor: { ...request.actor, role, principal } };
    const refuseSigned = (code: ErrorCode, message: string, details?: string[]) => this.refuse(signed, code, message, details);
    if (!mayIssue(role, name)) return refuseSigned('GW_COMMAND_UNAUTHORIZED', `role ${role} may not issue ${name}`);

    const ctx: ApplyContext = { commandId: id, at: request.receivedAt, role, principal };
    const applied = (APPLIERS[name] as (b: unknown, d: ApplyDeps, c: ApplyContext) => Applied)(body, this.deps, ctx);
    if (!applied.ok) return refuseSigned(applied.code, applied.message, applied.details);
    const reply: CommandReply = { id, ok: true, ...(applied.data === undefined ? {} : { data: applied.data }), ...(applied.warnings?.length ? { warnings: applied.warnings } : {}) };
    this.deps.db.transaction(() => {
      applied.write?.();
      this.store.accept(signed, digest, reply);
      this.store.audit(signed, reply);
    })();
    applied.effect?.();
    return reply;
  }

  /**
   * Returns the signer's role when a valid signature is present, `{}` when none is needed, or the refusal.
   * `requireSignature` binds MQTT: a broker login is shared by a console and whoever holds its password,
   * while an HTTP command is authenticated per request by its API token and audited under the token's
   * principal (docs/security.md, "Commands"); in-process callers (`via: 'cli'`) are the gateway itself.
   * A `ts` is checked whenever present, signed or not: a lockdown dated 2001 is stale either way.
   */
  private checkSignature(body: Record<string, unknown>, request: CommandRequest): { role?: ActorRole; kid?: string } | { code: ErrorCode; message: string } {
    const { sig, kid, ts } = body as { sig?: string; kid?: string; ts?: string };
    const stale = { code: 'GW_COMMAND_STALE' as const, message: `ts must be within ${this.config.maxSkewS} s of the gateway clock` };
    const fresh = (at: number) => Math.abs(request.receivedAt - at) <= this.config.maxSkewS * 1000;
    if (sig === undefined) {
      if (this.config.requireSignature && request.actor.via === 'mqtt') return { code: 'GW_COMMAND_UNSIGNED', message: 'a signature by a key of commands.keys is required (commands.requireSignature)' };
      return ts === undefined || fresh(Date.parse(ts)) ? {} : stale;
    }
    const signer = kid === undefined ? undefined : this.keys.get(kid);
    if (!signer || !verifySignature(body, sig, signer.key)) return { code: 'GW_COMMAND_BAD_SIGNATURE', message: `signature does not verify with key ${JSON.stringify(kid ?? null)}` };
    // An approver's or the district's key is trusted by several estates: a command it signed for one estate, seen
    // on the wire there, was taken by another (found from outside: a district lift replayed at a second estate).
    if (body.estate === undefined && SHARED_KEY_ROLES.includes(signer.role)) {
      return { code: 'GW_COMMAND_BAD_SIGNATURE', message: `a command signed by ${signer.role} key ${JSON.stringify(kid)} must name its estate in the signed body: "estate": ${JSON.stringify(this.estateId)}` };
    }
    if (ts === undefined || !fresh(Date.parse(ts))) return stale;
    return { role: signer.role, kid: kid as string };
  }

  auditRefused(request: CommandRequest, error: { code: string; message: string }): void {
    this.tryAudit(request, { id: request.id, ok: false, error });
  }

  private tryAudit(request: Omit<CommandRequest, 'name'> & { name: string }, reply: CommandReply): void {
    try {
      this.store.audit(request, reply);
    } catch (error) {
      this.log.error({ id: request.id, err: (error as Error).message, code: Code.GW_STORAGE }, 'cannot write the audit row');
    }
  }
}

function withoutData(reply: CommandReply): CommandReply {
  const { data: _data, ...rest } = reply as CommandReply & { data?: unknown };
  return rest as CommandReply;
}

function refusal(id: string, code: ErrorCode, message: string, details?: string[]): CommandReply {
  return { id, ok: false, error: { code, message, ...(details && details.length > 0 ? { details } : {}) } };
}
