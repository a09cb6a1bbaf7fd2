import type { Static, TObject } from '@sinclair/typebox';
import { buildRoster, cardForSubject } from '../core/roster.js';
import { makeValidator, type Validator } from '../schema/validate.js';
import { millis, notApplicable, type Applied, type ApplyContext, type ApplyDeps } from './applier.js';
import { ListEntrySchemas, ListKeySchemas, LIST_KEYS, LIST_NAMES, type CommandBodies, type ListName } from '../contract/command-schemas.js';
import { personSubject, unknownSubjectWarnings } from './known-subjects.js';
import { editList } from './list-edits.js';
import { canonicalJson } from '../contract/signature.js';

/**
 * The commands that store data for the gate rules: roster, lists, policies,
 * drills (passes are in pass-commands.ts). What is simple is applied here (the roster, the trust
 * list); the rules that read the rest belong to the policy.
 */

const validatorsOf = (schemas: Record<ListName, TObject>) => Object.fromEntries(LIST_NAMES.map((name) => [name, makeValidator<TObject>(schemas[name])])) as Record<ListName, Validator<TObject>>;
const entryValidators = validatorsOf(ListEntrySchemas);
const keyValidators = validatorsOf(ListKeySchemas);

export function applyRoster(body: CommandBodies['roster'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  const changed = lockdownRosterChanges(body.cards, deps);
  if (changed.length > 0) {
    return notApplicable('during a lockdown the roster admits no one new and changes no role: no outside people (rule 4), and leaving needs the approver\'s exit pass', changed);
  }
  return {
    ok: true,
    data: { version: body.version, cards: body.cards.length, ...(body.vehicles ? { vehicles: body.vehicles.length } : {}) },
    write: () => {
      deps.records.writeList('roster', body.version, body.cards, ctx.at, ctx.commandId);
      if (body.vehicles) deps.records.writeList('vehicles', body.version, body.vehicles, ctx.at, ctx.commandId);
    },
    effect: () => {
      deps.estate.roster = buildRoster(body.cards);
      if (body.vehicles) deps.estate.registry?.setVehicles(body.vehicles);
    },
  };
}

export function applyLists(body: CommandBodies['lists'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  // Whoever adds an issuer can mint green passes: the trust list is the district's to refresh (found from outside:
  // an estate manager could add a key of their own).
  if (body.list === 'trust' && ctx.role !== 'district') {
    return { ok: false, code: 'GW_COMMAND_UNAUTHORIZED', message: 'the trust list of health-pass issuers is refreshed by the district only' };
  }
  const op = body.op ?? 'replace';
  const validator = (op === 'remove' ? keyValidators : entryValidators)[body.list];
  const errors = body.entries.flatMap((entry, i) => validator.check(entry).map((error) => (error.startsWith('(root)') ? `entries[${i}]${error.slice(6)}` : `entries[${i}].${error}`)));
  if (errors.length > 0) return { ok: false, code: 'GW_COMMAND_INVALID', message: `invalid ${body.list} entries for ${op}`, details: errors.slice(0, 20) };
  const entries = body.entries as Array<Record<string, unknown>>;
  const key = LIST_KEYS[body.list];
  // Subjects are kept only as keyed hashes (docs/design.md, "Storage"), of the person's health-code subject.
  const subjects = key === 'subject' ? entries.map((entry) => personSubject(deps, entry.subject as string)) : [];
  const given = key === 'subject' ? entries.map((entry, i) => ({ ...entry, subject: deps.hashSubject('health-pass', subjects[i] as string) })) : entries;
  const current = op === 'replace' && key !== 'subject' ? [] : body.list === 'trust' ? trustInForce(deps) : deps.records.listEntries(body.list);
  const edit = editList(op, key, current, given);
  // Only subjects new to the list are checked: a list resent whole is checked for what changed, not 100,000 lookups again.
  const listed = new Set(current.map((entry) => entry.subject));
  const added = op === 'remove' ? [] : subjects.filter((_subject, i) => !listed.has(given[i]?.subject));
  const warnings = [
    ...unknownSubjectWarnings(deps, added),
    ...edit.missing.map((i) => `${body.list} has no entry with ${key} ${JSON.stringify((given[i] as Record<string, unknown> | undefined)?.[key])}`),
  ];
  const changed = op === 'replace' ? {} : { [op === 'add' ? 'added' : 'removed']: entries.length - edit.missing.length };
  return {
    ok: true,
    data: { list: body.list, op, version: body.version, entries: edit.entries.length, ...changed },
    ...(warnings.length > 0 ? { warnings } : {}),
    write: () => deps.records.writeList(body.list, body.version, edit.entries, ctx.at, ctx.commandId),
    effect: () => {
      if (body.list !== 'trust') return deps.estate.registry?.reloadLists();
      const issuers = edit.entries as Array<Static<(typeof ListEntrySchemas)['trust']>>;
      deps.estate.trust = { ...deps.estate.trust, issuers: Object.fromEntries(issuers.map((issuer) => [issuer.kid, issuer.publicKey])), refreshedAt: ctx.at };
    },
  };
}

/**
 * During a real lockdown the roster may drop people and fix households, but not admit anyone new nor change a
 * role. Found from outside: a manager could let a resident out by making them "medical" (an exempt role), or let
 * an outsider in by adding them as a resident, both around the approver and the plan.
 */
function lockdownRosterChanges(cards: CommandBodies['roster']['cards'], deps: ApplyDeps): string[] {
  const lockdown = [...deps.estate.activeModes().values()].some((state) => state.mode === 'lockdown' && !state.drill);
  if (!lockdown) return [];
  return cards.flatMap((card, i) => {
    const known = cardForSubject(deps.estate.roster, card.subject);
    if (!known) return [`cards[${i}].subject: not on the roster before the lockdown`];
    return known.role === card.role ? [] : [`cards[${i}].role: was ${known.role}`];
  });
}

/** The issuers in force, config or last refresh: an `add` or `remove` edits those, never an empty list. */
function trustInForce(deps: ApplyDeps): Array<Record<string, unknown>> {
  return Object.entries(deps.estate.trust.issuers).map(([kid, publicKey]) => ({ kid, publicKey }));
}

/** Policy versions are immutable: the same version with other rules is refused. */
export function applyPolicy(body: CommandBodies['policy'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  const rules = canonicalJson(body.rules);
  const existing = deps.records.policyBody(body.version);
  if (existing !== undefined && existing !== rules) return notApplicable(`policy version ${body.version} already exists with other rules`);
  return {
    ok: true,
    // Honest about what it did (found from outside): the lanes keep deciding on the config's policy.
    data: { version: body.version, applied: false },
    write: () => deps.records.writePolicy(body.version, rules, ctx.at, ctx.commandId),
  };
}

export function applyDrill(body: CommandBodies['drill'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  if (body.action === 'stop') return stopDrill(body, deps, ctx);
  const { scenario } = body;
  if (scenario === undefined) return notApplicable('a drill needs a scenario to start', ['scenario: required to start a drill']);
  const endsAt = body.endsAt === undefined ? null : millis(body.endsAt);
  const enforce = body.enforce ?? deps.estate.registry?.drillEnforcesByDefault ?? true;
  return {
    ok: true,
    data: { drillId: body.drillId, enforce },
    write: () => deps.records.startDrill({ drillId: body.drillId, scenario, startedAt: ctx.at, endsAt, by: body.by, commandId: ctx.commandId, enforce }),
    effect: () => deps.estate.registry?.drillsChanged(),
  };
}

/** Stopping a drill stores its report and returns it in the reply (published on `…/cmd/drill/reply`). */
function stopDrill(body: CommandBodies['drill'], deps: ApplyDeps, ctx: ApplyContext): Applied {
  const drill = deps.records.runningDrill(body.drillId);
  if (!drill) return notApplicable(`no running drill ${body.drillId}`);
  const report = deps.records.drillReport({ id: body.drillId, scenario: drill.scenario, from: drill.startedAt, to: ctx.at + 1 });
  return {
    ok: true,
    data: { drillId: body.drillId, report },
    write: () => deps.records.stopDrill(body.drillId, ctx.at, report),
    effect: () => deps.estate.registry?.drillsChanged(),
  };
}
