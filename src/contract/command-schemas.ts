import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { DateTimeInput } from '../schema/date-time.js';
import { Id, StringEnum } from '../schema/types.js';
import { SUBJECT_ROLES } from '../core/credential.js';
import { MODES } from '../core/mode.js';

/**
 * The body of each command on `…/cmd/<name>`: one JSON Schema per command,
 * used to validate and to document (docs/mqtt.md is generated from these).
 * Every body may carry the envelope: `id`, `ts`, `v`, `estate`, and for a
 * signed command `kid` and `sig` (see signature.ts).
 */

export const COMMAND_NAMES = ['lockdown', 'mode', 'open', 'roster', 'lists', 'exit-pass', 'visitor', 'revoke-pass', 'policy', 'drill', 'resend'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

// A day that exists: a NaN time (month 13) would be stored and never expire, 31 February would become 3 March.
const IsoTime = DateTimeInput;
const Text = (description: string) => Type.String({ minLength: 1, maxLength: 500, description });
const Actor = Text('who ordered it (name or staff id), for the audit trail');

export const CommandEnvelope = {
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'unique command id, chosen by the sender; idempotency key' })),
  ts: Type.Optional(IsoTime),
  v: Type.Optional(Type.Literal(1)),
  kid: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'id of the signing key (commands.keys): a manager, approver or district key' })),
  estate: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: 'the estate the command is for (estate.id). Required in a command signed by an approver or district key, which several estates may trust: the signature then binds it to one estate',
    }),
  ),
  sig: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{86}$', description: 'Ed25519 signature of the canonical form, base64url' })),
};

function command<P extends TProperties>(description: string, properties: P): TObject<P & typeof CommandEnvelope> {
  return Type.Object({ ...CommandEnvelope, ...properties }, { additionalProperties: false, description });
}

const Gates = Type.Optional(Type.Array(Id, { minItems: 1, uniqueItems: true, description: 'gate ids; absent means the whole estate (and back to normal clears every gate too)' }));
const ModeFields = {
  gates: Gates,
  reason: Text('why, for the audit trail and the retained mode topic'),
  by: Actor,
  expiresAt: Type.Optional(IsoTime),
  drill: Type.Optional(Type.Boolean({ description: 'part of an exercise (estate plan, rule 8)' })),
};

/** A roster card, as the `roster` command and the config's `roster.cards` carry it. */
export const Card = Type.Object(
  {
    uid: Type.String({ pattern: '^[0-9A-Fa-f]{8,20}$' }),
    subject: Type.String({ minLength: 1 }),
    role: StringEnum(SUBJECT_ROLES),
    household: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

/** A resident vehicle, as the `roster` command carries it; the config's `roster.vehicles` gives its role a default. */
export const Vehicle = Type.Object(
  {
    plate: Type.String({ minLength: 5, maxLength: 16, description: 'licence plate as the reader reports it; compared without spaces, dots or dashes' }),
    household: Type.Optional(Type.String()),
    role: StringEnum(SUBJECT_ROLES),
  },
  { additionalProperties: false },
);

export const LIST_NAMES = ['quarantine', 'recovered', 'contacts', 'risk-areas', 'trust'] as const;
export type ListName = (typeof LIST_NAMES)[number];

/** Entries of each list; the `lists` body is checked against the one its `list` names. */
export const ListEntrySchemas = {
  quarantine: Type.Object({ subject: Type.String({ minLength: 1 }), until: Type.Optional(IsoTime) }, { additionalProperties: false }),
  recovered: Type.Object({ subject: Type.String({ minLength: 1 }), isolatedUntil: IsoTime, testedNegativeAt: IsoTime }, { additionalProperties: false }),
  contacts: Type.Object({ subject: Type.String({ minLength: 1 }), until: Type.Optional(IsoTime) }, { additionalProperties: false, description: 'general contacts: pass, flagged, monitored (rule 5)' }),
  'risk-areas': Type.Object({ code: Type.String({ pattern: '^\\d{6}$', description: 'GB/T 2260 region code' }), level: StringEnum(['medium', 'high'] as const) }, { additionalProperties: false }),
  trust: Type.Object({ kid: Type.String({ minLength: 1, maxLength: 64 }), publicKey: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' }) }, { additionalProperties: false }),
} satisfies Record<ListName, TObject>;

/** The field that identifies an entry of each list: `add` replaces the entry with the same key, `remove` names entries by it. */
export const LIST_KEYS = { quarantine: 'subject', recovered: 'subject', contacts: 'subject', 'risk-areas': 'code', trust: 'kid' } as const satisfies Record<ListName, string>;

/** What `remove` sends per entry: the key alone. */
export const ListKeySchemas = Object.fromEntries(
  LIST_NAMES.map((name) => {
    const key = LIST_KEYS[name];
    const field = (ListEntrySchemas[name].properties as Record<string, TSchema>)[key] as TSchema;
    return [name, Type.Object({ [key]: field }, { additionalProperties: false })];
  }),
) as Record<ListName, TObject>;

export const LIST_OPS = ['replace', 'add', 'remove'] as const;
export type ListOp = (typeof LIST_OPS)[number];

export const CommandSchemas = {
  lockdown: command('Lock down the estate or some gates (estate plan, rule 4).', ModeFields),
  mode: command('Set the mode of the estate or some gates. Lifting a lockdown (normal) is for managers and the district (rule 9).', {
    mode: StringEnum(MODES),
    ...ModeFields,
  }),
  open: command('Release one lane remotely; recorded as a passage with reason MANUAL_RELEASE before the barrier moves.', {
    gate: Id,
    lane: Id,
    reason: Text('why the lane is released'),
    by: Actor,
  }),
  roster: command('Replace the card roster and, when given, the resident vehicle roster.', {
    version: Type.String({ minLength: 1, maxLength: 64 }),
    cards: Type.Array(Card, { maxItems: 100_000 }),
    vehicles: Type.Optional(Type.Array(Vehicle, { maxItems: 100_000 })),
  }),
  lists: command(
    'Change one list: quarantine, recovered, general contacts, risk areas or the trust list. `replace` (the default) sends the whole list; `add` and `remove` edit it entry by entry. Each accepted change stores a new version of the list.',
    {
      list: StringEnum(LIST_NAMES),
      op: Type.Optional(StringEnum(LIST_OPS, { description: 'replace (default): entries are the whole list; add: entries are added, or replace the entry with the same key (subject, code or kid); remove: entries name the key alone, e.g. {"subject": "…"}' })),
      version: Type.String({ minLength: 1, maxLength: 64, description: 'the version of the list after this change' }),
      entries: Type.Array(Type.Unknown(), { maxItems: 100_000 }),
    },
  ),
  'exit-pass': command('Issue an exit pass for a resident during lockdown (rule 4), with a return deadline; approved by the local epidemic-control group (role approver).', {
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
    purpose: Type.Optional(Text('why the visitor comes')),
    origin: Type.Optional(Type.String({ pattern: '^\\d{6}$', description: 'GB/T 2260 region code the visitor comes from' })),
    testedNegativeAt: Type.Optional(IsoTime),
    validFrom: IsoTime,
    validUntil: IsoTime,
    by: Actor,
  }),
  'revoke-pass': command('Revoke a visitor pass (guards, managers) or an exit pass (the approver) by its id: it grants nothing from then on.', {
    pass: StringEnum(['visitor', 'exit'] as const, { description: 'which kind of pass passId names' }),
    passId: Type.String({ minLength: 1, maxLength: 64 }),
    reason: Text('why the pass is revoked'),
    by: Actor,
  }),
  policy: command('Store a versioned policy for the record. The gate decides on the policy of its config (the policyVersion on every passage); a stored policy is not applied until the config carries it, and the reply says so (applied: false).', {
    version: Type.String({ minLength: 1, maxLength: 64 }),
    rules: Type.Record(Type.String(), Type.Unknown()),
  }),
  drill: command('Start or stop a drill or tabletop exercise (rule 8); stopping returns and stores the drill report.', {
    drillId: Type.String({ minLength: 1, maxLength: 64 }),
    action: Type.Optional(StringEnum(['start', 'stop'] as const, { description: 'default start' })),
    scenario: Type.Optional(Text('what is exercised (required to start)')),
    endsAt: Type.Optional(IsoTime),
    enforce: Type.Optional(Type.Boolean({ description: 'barriers really enforce during the drill; default from policy.drillEnforces' })),
    by: Actor,
  }),
  resend: command('Publish kept reports again, byte for byte, by their sequence numbers (the district only; docs/district.md, "Backfill"). The reply names what is no longer kept.', {
    fromSeq: Type.Integer({ minimum: 1 }),
    toSeq: Type.Integer({ minimum: 1, description: 'inclusive; at most 10,000 reports per command' }),
  }),
} satisfies Record<CommandName, TObject>;

export type CommandBodies = { [K in CommandName]: Static<(typeof CommandSchemas)[K]> };
