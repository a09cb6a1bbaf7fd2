import { Type, type Static, type TObject, type TProperties } from '@sinclair/typebox';
import { Id, StringEnum } from '../schema/types.js';
import type { CommandName } from './types.js';

/**
 * The body of each command on `…/cmd/<name>`: one JSON Schema per command,
 * used to validate and to document (docs/mqtt.md is generated from these).
 * Every body may carry the envelope: `id`, `ts`, `v`, and for a signed
 * command `kid` and `sig` (see signature.ts).
 */

export const COMMAND_NAMES = ['lockdown', 'mode', 'open', 'roster', 'lists', 'exit-pass', 'visitor', 'policy', 'drill'] as const satisfies readonly CommandName[];

const IsoTime = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$', description: 'ISO 8601 date-time' });
const Text = (description: string) => Type.String({ minLength: 1, maxLength: 500, description });
const Actor = Text('who ordered it (name or staff id), for the audit trail');

export const CommandEnvelope = {
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'unique command id, chosen by the sender; idempotency key' })),
  ts: Type.Optional(IsoTime),
  v: Type.Optional(Type.Literal(1)),
  kid: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'manager key id of the signature' })),
  sig: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{86}$', description: 'Ed25519 signature of the canonical form, base64url' })),
};

function command<P extends TProperties>(description: string, properties: P): TObject<P & typeof CommandEnvelope> {
  return Type.Object({ ...CommandEnvelope, ...properties }, { additionalProperties: false, description });
}

const Gates = Type.Optional(Type.Array(Id, { minItems: 1, uniqueItems: true, description: 'gate ids; absent means the whole estate' }));
const ModeFields = {
  gates: Gates,
  reason: Text('why, for the audit trail and the retained mode topic'),
  by: Actor,
  expiresAt: Type.Optional(IsoTime),
  drill: Type.Optional(Type.Boolean({ description: 'part of an exercise (estate plan, rule 8)' })),
};

const Card = Type.Object(
  {
    uid: Type.String({ pattern: '^[0-9A-Fa-f]{8,20}$' }),
    subject: Type.String({ minLength: 1 }),
    role: StringEnum(['resident', 'staff'] as const),
    household: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const LIST_NAMES = ['quarantine', 'recovered', 'risk-areas', 'trust'] as const;
export type ListName = (typeof LIST_NAMES)[number];

/** Entries of each list; the `lists` body is checked against the one its `list` names. */
export const ListEntrySchemas = {
  quarantine: Type.Object({ subject: Type.String({ minLength: 1 }), until: Type.Optional(IsoTime) }, { additionalProperties: false }),
  recovered: Type.Object({ subject: Type.String({ minLength: 1 }), isolatedUntil: IsoTime, testedNegativeAt: IsoTime }, { additionalProperties: false }),
  'risk-areas': Type.Object({ code: Type.String({ pattern: '^\\d{6}$', description: 'GB/T 2260 region code' }), level: StringEnum(['medium', 'high'] as const) }, { additionalProperties: false }),
  trust: Type.Object({ kid: Type.String({ minLength: 1, maxLength: 64 }), publicKey: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }) }, { additionalProperties: false }),
} satisfies Record<ListName, TObject>;

export const CommandSchemas = {
  lockdown: command('Lock down the estate or some gates (estate plan, rule 4).', ModeFields),
  mode: command('Set the mode of the estate or some gates. Lifting a lockdown (normal) is for managers and the district (rule 9).', {
    mode: StringEnum(['normal', 'lockdown', 'emergency-open'] as const),
    ...ModeFields,
  }),
  open: command('Release one lane remotely; recorded as a passage with reason MANUAL_RELEASE before the barrier moves.', {
    gate: Id,
    lane: Id,
    reason: Text('why the lane is released'),
    by: Actor,
  }),
  roster: command('Replace the card roster.', { version: Type.String({ minLength: 1, maxLength: 64 }), cards: Type.Array(Card, { maxItems: 100_000 }) }),
  lists: command('Replace one list: quarantine, recovered, risk areas or the trust list.', {
    list: StringEnum(LIST_NAMES),
    version: Type.String({ minLength: 1, maxLength: 64 }),
    entries: Type.Array(Type.Unknown(), { maxItems: 100_000 }),
  }),
  'exit-pass': command('Issue an exit pass for a resident during lockdown (rule 4), with a return deadline.', {
    passId: Type.String({ minLength: 1, maxLength: 64 }),
    subject: Type.String({ minLength: 1, description: 'subject id; stored only as its keyed hash' }),
    household: Type.Optional(Type.String()),
    reason: Text('why the resident leaves'),
    validFrom: Type.Optional(IsoTime),
    returnBy: IsoTime,
    by: Actor,
  }),
  visitor: command('Register a visitor pass (rule 1), bound to the visitor, host household and plate.', {
    passId: Type.String({ minLength: 1, maxLength: 64 }),
    subject: Type.String({ minLength: 1, description: 'subject id of the visitor health pass; stored only as its keyed hash' }),
    hostHousehold: Type.String({ minLength: 1 }),
    plate: Type.Optional(Type.String({ maxLength: 16 })),
    validFrom: IsoTime,
    validUntil: IsoTime,
    by: Actor,
  }),
  policy: command('Store a new versioned policy (applied by the gate rules).', {
    version: Type.String({ minLength: 1, maxLength: 64 }),
    rules: Type.Record(Type.String(), Type.Unknown()),
  }),
  drill: command('Start a drill or tabletop exercise (rule 8).', {
    drillId: Type.String({ minLength: 1, maxLength: 64 }),
    scenario: Text('what is exercised'),
    endsAt: Type.Optional(IsoTime),
    by: Actor,
  }),
} satisfies Record<CommandName, TObject>;

export type CommandBodies = { [K in CommandName]: Static<(typeof CommandSchemas)[K]> };
