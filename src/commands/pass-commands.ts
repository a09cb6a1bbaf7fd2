import { normalisePlate } from '../core/registry.js';
import { issueVisitorPass } from '../core/visitor-pass.js';
import { millis, notApplicable, type Applied, type ApplyContext, type ApplyDeps } from './applier.js';
import { REVOKE_ROLES } from './command-roles.js';
import type { CommandBodies } from '../contract/command-schemas.js';
import type { PassKind } from '../store/command-records.js';
import { personSubject, unknownSubjectWarnings } from './known-subjects.js';
import type { CommandReply } from './types.js';

/**
 * Visitor passes (estate plan, rule 1), exit passes (rule 4) and their
 * revocation. The gate reads both tables on every scan, so a revocation takes
 * effect on the next scan without any in-memory effect.
 */

/** A revoked pass id is never issued again: the QR or the slip already handed out would grant once more. */
function revokedPass(deps: ApplyDeps, pass: PassKind, passId: string): Applied | undefined {
  if (deps.records.passRevokedAt(pass, passId) == null) return undefined;
  return notApplicable(`${pass} pass ${passId} was revoked; issue a new pass id`, ['passId: names a revoked pass']);
}

export function applyExitPass(body: CommandBodies['exit-pass'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  const validFrom = body.validFrom === undefined ? ctx.at : millis(body.validFrom);
  const returnBy = millis(body.returnBy);
  if (returnBy <= validFrom) return notApplicable('returnBy must be after validFrom', ['returnBy: expected a time after validFrom']);
  const revoked = revokedPass(deps, 'exit', body.passId);
  if (revoked) return revoked;
  const subject = personSubject(deps, body.subject);
  const warnings = unknownSubjectWarnings(deps, [subject]);
  return {
    ok: true,
    data: { passId: body.passId, returnBy: body.returnBy },
    ...(warnings.length > 0 ? { warnings } : {}),
    write: () =>
      deps.records.writeExitPass({
        passId: body.passId,
        subjectHash: deps.hashSubject('health-pass', subject),
        household: body.household ?? null,
        reason: body.reason,
        validFrom,
        returnBy,
        issuedBy: body.by,
        commandId: ctx.commandId,
      }),
  };
}

export function applyVisitor(body: CommandBodies['visitor'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  const validFrom = millis(body.validFrom);
  const validUntil = millis(body.validUntil);
  if (validUntil <= validFrom) return notApplicable('validUntil must be after validFrom', ['validUntil: expected a time after validFrom']);
  const revoked = revokedPass(deps, 'visitor', body.passId);
  if (revoked) return revoked;
  return {
    ok: true,
    // The QR text the visitor shows at the lane (docs/rules.md); bound to their health-pass subject.
    data: withVisitorCode({ id: ctx.commandId, ok: true, data: { passId: body.passId, validFrom: body.validFrom, validUntil: body.validUntil } }, body, deps).data,
    write: () =>
      deps.records.writeVisitorPass({
        passId: body.passId,
        subjectHash: deps.hashSubject('health-pass', body.subject),
        hostHousehold: body.hostHousehold,
        plate: body.plate ? normalisePlate(body.plate) : null,
        purpose: body.purpose ?? null,
        origin: body.origin ?? null,
        testedNegativeAt: body.testedNegativeAt === undefined ? null : millis(body.testedNegativeAt),
        validFrom,
        validUntil,
        issuedBy: body.by,
        commandId: ctx.commandId,
      }),
  };
}

/** A visitor reply with its VP1 code, made from the body: the code is never stored (audit-redaction.ts), a retry gets it again. */
export function withVisitorCode(reply: CommandReply, body: Pick<CommandBodies['visitor'], 'passId' | 'subject'>, deps: Pick<ApplyDeps, 'estate'>): CommandReply {
  const key = deps.estate.registry?.visitorKey;
  if (!key || !reply.ok || reply.data === null || typeof reply.data !== 'object') return reply;
  const { codeSha256: _digest, ...data } = reply.data as Record<string, unknown>;
  return { ...reply, data: { ...data, code: issueVisitorPass({ passId: body.passId, subject: body.subject }, key) } };
}

/**
 * `revoke-pass`: sets `revoked_at`; the pass grants nothing from the next
 * scan on. Who may revoke depends on the pass (REVOKE_ROLES), which the
 * broker ACL cannot see, so it is checked here. Revoking twice keeps the
 * first time and says so. A resident who already left on a revoked exit pass
 * is still expected back by its deadline (exit-overdue still applies).
 */
export function applyRevokePass(body: CommandBodies['revoke-pass'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  if (!REVOKE_ROLES[body.pass].includes(ctx.role)) {
    return { ok: false, code: 'GW_COMMAND_UNAUTHORIZED', message: `role ${ctx.role} may not revoke ${body.pass} passes; allowed: ${REVOKE_ROLES[body.pass].join(', ')}` };
  }
  const revokedAt = deps.records.passRevokedAt(body.pass, body.passId);
  if (revokedAt === undefined) return notApplicable(`no ${body.pass} pass ${body.passId}`, ['passId: names no pass of this kind']);
  if (revokedAt !== null) {
    const at = new Date(revokedAt).toISOString();
    return { ok: true, data: { pass: body.pass, passId: body.passId, revokedAt: at }, warnings: [`${body.pass} pass ${body.passId} was already revoked at ${at}`] };
  }
  return {
    ok: true,
    data: { pass: body.pass, passId: body.passId, revokedAt: new Date(ctx.at).toISOString() },
    write: () => deps.records.revokePass(body.pass, body.passId, ctx.at),
  };
}
