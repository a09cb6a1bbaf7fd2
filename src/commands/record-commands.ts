import type { Static } from '@sinclair/typebox';
import { normalisePlate } from '../core/registry.js';
import { buildRoster } from '../core/roster.js';
import { issueVisitorPass } from '../core/visitor-pass.js';
import { drillReport } from '../store/drill-report.js';
import { makeValidator } from '../schema/validate.js';
import { millis, notApplicable, type Applied, type ApplyContext, type ApplyDeps } from './applier.js';
import { ListEntrySchemas, LIST_NAMES, type CommandBodies, type ListName } from './command-schemas.js';
import { canonicalJson } from './signature.js';

/**
 * The commands that store data for the gate rules: roster, lists, passes,
 * policies, drills. What is simple is applied here (the roster, the trust
 * list); the rules that read the rest belong to the policy.
 */

const entryValidators = Object.fromEntries(LIST_NAMES.map((name) => [name, makeValidator(ListEntrySchemas[name])])) as {
  [N in ListName]: ReturnType<typeof makeValidator<(typeof ListEntrySchemas)[N]>>;
};

function upsertList(deps: ApplyDeps, name: string, version: string, entries: unknown, ctx: ApplyContext): void {
  deps.db
    .prepare(`INSERT INTO lists (name, version, entries, updated_at, command_id) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET version = excluded.version, entries = excluded.entries, updated_at = excluded.updated_at, command_id = excluded.command_id`)
    .run(name, version, JSON.stringify(entries), ctx.at, ctx.commandId);
}

export function applyRoster(body: CommandBodies['roster'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  return {
    ok: true,
    data: { version: body.version, cards: body.cards.length, ...(body.vehicles ? { vehicles: body.vehicles.length } : {}) },
    write: () => {
      upsertList(deps, 'roster', body.version, body.cards, ctx);
      if (body.vehicles) upsertList(deps, 'vehicles', body.version, body.vehicles, ctx);
    },
    effect: () => {
      deps.gate.roster = buildRoster(body.cards);
      if (body.vehicles) deps.gate.registry?.setVehicles(body.vehicles);
    },
  };
}

export function applyLists(body: CommandBodies['lists'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  const validator = entryValidators[body.list];
  const errors = body.entries.flatMap((entry, i) => validator.check(entry).map((error) => (error.startsWith('(root)') ? `entries[${i}]${error.slice(6)}` : `entries[${i}].${error}`)));
  if (errors.length > 0) return { ok: false, code: 'GW_COMMAND_INVALID', message: `invalid ${body.list} entries`, details: errors.slice(0, 20) };
  // Subjects are kept only as keyed hashes (DESIGN.md, "Storage").
  const stored = body.list === 'quarantine' || body.list === 'recovered' || body.list === 'contacts'
    ? (body.entries as Array<Static<(typeof ListEntrySchemas)['quarantine']>>).map((entry) => ({ ...entry, subject: deps.hashSubject('health-pass', entry.subject) }))
    : body.entries;
  return {
    ok: true,
    data: { list: body.list, version: body.version, entries: body.entries.length },
    write: () => upsertList(deps, body.list, body.version, stored, ctx),
    effect: () => {
      if (body.list !== 'trust') return deps.gate.registry?.reloadLists();
      const issuers = body.entries as Array<Static<(typeof ListEntrySchemas)['trust']>>;
      deps.gate.trust = { ...deps.gate.trust, issuers: Object.fromEntries(issuers.map((issuer) => [issuer.kid, issuer.publicKey])), refreshedAt: ctx.at };
    },
  };
}

export function applyExitPass(body: CommandBodies['exit-pass'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  const validFrom = body.validFrom === undefined ? ctx.at : millis(body.validFrom);
  const returnBy = millis(body.returnBy);
  if (returnBy <= validFrom) return notApplicable('returnBy must be after validFrom', ['returnBy: expected a time after validFrom']);
  return {
    ok: true,
    data: { passId: body.passId, returnBy: body.returnBy },
    write: () =>
      deps.db
        .prepare(`INSERT OR REPLACE INTO exit_passes (id, subject_hash, household, reason, valid_from, return_by, issued_by, command_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(body.passId, deps.hashSubject('card', body.subject), body.household ?? null, body.reason, validFrom, returnBy, body.by, ctx.commandId),
  };
}

export function applyVisitor(body: CommandBodies['visitor'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  const validFrom = millis(body.validFrom);
  const validUntil = millis(body.validUntil);
  if (validUntil <= validFrom) return notApplicable('validUntil must be after validFrom', ['validUntil: expected a time after validFrom']);
  const key = deps.gate.registry?.visitorKey;
  return {
    ok: true,
    // The QR text the visitor shows at the lane (docs/rules.md); bound to their health-pass subject.
    data: { passId: body.passId, validUntil: body.validUntil, ...(key ? { code: issueVisitorPass({ passId: body.passId, subject: body.subject }, key) } : {}) },
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

/** Policy versions are immutable: the same version with other rules is refused. */
export function applyPolicy(body: CommandBodies['policy'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  const rules = canonicalJson(body.rules);
  const existing = deps.db.prepare('SELECT body FROM policies WHERE version = ?').get(body.version) as { body: string } | undefined;
  if (existing && existing.body !== rules) return notApplicable(`policy version ${body.version} already exists with other rules`);
  return {
    ok: true,
    data: { version: body.version },
    write: () => deps.db.prepare('INSERT OR IGNORE INTO policies (version, body, received_at, command_id) VALUES (?, ?, ?, ?)').run(body.version, rules, ctx.at, ctx.commandId),
  };
}

export function applyDrill(body: CommandBodies['drill'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  if (body.action === 'stop') return stopDrill(body, deps, ctx);
  if (body.scenario === undefined) return notApplicable('a drill needs a scenario to start', ['scenario: required to start a drill']);
  const endsAt = body.endsAt === undefined ? null : millis(body.endsAt);
  const enforce = body.enforce ?? deps.gate.registry?.drillEnforcesByDefault ?? true;
  return {
    ok: true,
    data: { drillId: body.drillId, enforce },
    write: () =>
      deps.db
        .prepare('INSERT OR REPLACE INTO drills (id, scenario, started_at, ends_at, by, command_id, enforce) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(body.drillId, body.scenario, ctx.at, endsAt, body.by, ctx.commandId, enforce ? 1 : 0),
  };
}

/** Stopping a drill stores its report and returns it in the reply (published on `…/cmd/drill/reply`). */
function stopDrill(body: CommandBodies['drill'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  const drill = deps.db.prepare('SELECT scenario, started_at FROM drills WHERE id = ? AND stopped_at IS NULL').get(body.drillId) as { scenario: string; started_at: number } | undefined;
  if (!drill) return notApplicable(`no running drill ${body.drillId}`);
  const report = drillReport(deps.db, { id: body.drillId, scenario: drill.scenario, from: drill.started_at, to: ctx.at + 1 });
  return {
    ok: true,
    data: { drillId: body.drillId, report },
    write: () => deps.db.prepare('UPDATE drills SET stopped_at = ?, report = ? WHERE id = ?').run(ctx.at, JSON.stringify(report), body.drillId),
  };
}
