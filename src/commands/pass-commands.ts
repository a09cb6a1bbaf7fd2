import { normalisePlate } from '../core/registry.js';
import { issueVisitorPass } from '../core/visitor-pass.js';
import { millis, notApplicable, type Applied, type ApplyContext, type ApplyDeps } from './applier.js';
import { REVOKE_ROLES } from './command-roles.js';
import type { CommandBodies } from './command-schemas.js';
import { personSubject, unknownSubjectWarnings } from './known-subjects.js';
import type { CommandReply } from './types.js';

/**
 * Visitor passes (estate plan, rule 1), exit passes (rule 4) and their
 * revocation. The gate reads both tables on every scan, so a revocation takes
 * effect on the next scan without any in-memory effect.
 */

const TABLES = { visitor: 'visitor_passes', exit: 'exit_passes' } as const;

/** A revoked pass id is never issued again: the QR or the slip already handed out would grant once more. */
function revokedPass(deps: ApplyDeps, pass: keyof typeof TABLES, passId: string): Applied | undefined {
  const row = deps.db.prepare(`SELECT revoked_at FROM ${TABLES[pass]} WHERE id = ?`).get(passId) as { revoked_at: number | null } | undefined;
  if (row?.revoked_at == null) return undefined;
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
      deps.db
        .prepare(`INSERT OR REPLACE INTO exit_passes (id, subject_hash, household, reason, valid_from, return_by, issued_by, command_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(body.passId, deps.hashSubject('health-pass', subject), body.household ?? null, body.reason, validFrom, returnBy, body.by, ctx.commandId),
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
    data: withVisitorCode({ id: ctx.commandId, ok: true, data: { passId: body.passId, validUntil: body.validUntil } }, body, deps).data,
    write: () =>
      deps.db
        .prepare(
          `INSERT OR REPLACE INTO visitor_passes (id, subject_hash, host_household, plate, purpose, origin, tested_negative_at, valid_from, valid_until, issued_by, command_id)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          body.passId,
          deps.hashSubject('health-pass', body.subject),
          body.hostHousehold,
          body.plate ? normalisePlate(body.plate) : null,
          body.purpose ?? null,
          body.origin ?? null,
          body.testedNegativeAt === undefined ? null : millis(body.testedNegativeAt),
          validFrom,
          validUntil,
          body.by,
          ctx.commandId,
        ),
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
  const table = TABLES[body.pass];
  const row = deps.db.prepare(`SELECT revoked_at FROM ${table} WHERE id = ?`).get(body.passId) as { revoked_at: number | null } | undefined;
  if (!row) return notApplicable(`no ${body.pass} pass ${body.passId}`, ['passId: names no pass of this kind']);
  if (row.revoked_at !== null) {
    const revokedAt = new Date(row.revoked_at).toISOString();
    return { ok: true, data: { pass: body.pass, passId: body.passId, revokedAt }, warnings: [`${body.pass} pass ${body.passId} was already revoked at ${revokedAt}`] };
  }
  return {
    ok: true,
    data: { pass: body.pass, passId: body.passId, revokedAt: new Date(ctx.at).toISOString() },
    write: () => deps.db.prepare(`UPDATE ${table} SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`).run(ctx.at, body.passId),
  };
}
