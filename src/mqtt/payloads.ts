import { Type, type Static } from '@sinclair/typebox';
import { ALERT_TYPES } from '../core/alerts.js';
import { REASON_CODES } from '../core/reasons.js';
import { StringEnum } from '../schema/types.js';

/**
 * Payload schemas of the MQTT contract, one per topic. The publisher builds
 * messages of these types and the contract tests validate every emitted
 * message against them. `v` is the schema version of the payload.
 */

export const PAYLOAD_VERSION = 1;

const Envelope = {
  id: Type.String({ minLength: 1, description: 'unique event id; consumers de-duplicate on it' }),
  ts: Type.String({ description: 'ISO 8601 time of the event' }),
  v: Type.Literal(PAYLOAD_VERSION),
};

/** The report stream's link (docs/district.md): contiguous seq per gateway, hash = SHA-256(prev ‖ canonical payload). */
const Hex256 = (description: string) => Type.String({ pattern: '^[0-9a-f]{64}$', description });
const Chain = {
  seq: Type.Integer({ minimum: 1, description: "the gateway's report sequence number: contiguous, no gaps (a shed range is named by a gap record)" }),
  prev: Hex256('hash of the report before, 64 zeros for the first'),
  hash: Hex256('SHA-256 of prev (32 bytes) followed by the canonical payload: this JSON without hash and prev, keys sorted, no whitespace, UTF-8'),
};
const Signature = {
  kid: Type.String({ minLength: 1, description: 'id of the gateway key (gatewarden keys export-gateway)' }),
  sig: Type.String({ pattern: '^[A-Za-z0-9_-]{86}$', description: 'Ed25519 signature, base64url, of the canonical JSON without sig, hash and prev' }),
};

const Reasons = Type.Array(StringEnum(REASON_CODES));
const MODES = ['normal', 'lockdown', 'emergency-open'] as const;

export const StatusPayload = Type.Object(
  {
    ...Envelope,
    online: Type.Boolean(),
    mode: StringEnum(MODES, { description: 'the estate-wide mode' }),
    version: Type.String(),
    since: Type.String(),
  },
  { additionalProperties: false },
);

export const PassagePayload = Type.Object(
  {
    ...Envelope,
    gate: Type.String(),
    lane: Type.String(),
    direction: StringEnum(['in', 'out'] as const),
    kind: StringEnum(['pedestrian', 'vehicle'] as const),
    verdict: StringEnum(['grant', 'deny', 'refer'] as const),
    reasons: Reasons,
    rule: Type.String(),
    policyVersion: Type.String(),
    credential: StringEnum(['health-pass', 'card', 'visitor-pass', 'plate', 'unreadable'] as const),
    subject: Type.Union([Type.String(), Type.Null()], { description: 'keyed hash of the subject id, never the raw id' }),
    temperatureC: Type.Union([Type.Number(), Type.Null()]),
    mode: StringEnum(MODES),
    drill: Type.Optional(Type.Boolean({ description: 'decided during a drill (estate plan, rule 8); absent otherwise' })),
    ...Chain,
  },
  { additionalProperties: false },
);

export const AlertPayload = Type.Object(
  {
    ...Envelope,
    type: StringEnum(ALERT_TYPES),
    severity: StringEnum(['info', 'warning', 'critical'] as const),
    gate: Type.Union([Type.String(), Type.Null()]),
    lane: Type.Union([Type.String(), Type.Null()]),
    passageId: Type.Union([Type.String(), Type.Null()]),
    subject: Type.Union([Type.String(), Type.Null()]),
    reasons: Reasons,
    details: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])),
    ...Chain,
  },
  { additionalProperties: false },
);

export const DevicePayload = Type.Object(
  {
    ...Envelope,
    device: Type.String(),
    role: Type.String(),
    availability: StringEnum(['online', 'degraded', 'offline'] as const),
    since: Type.String(),
    lastError: Type.Union([Type.Object({ code: Type.String(), message: Type.String(), at: Type.String() }), Type.Null()]),
  },
  { additionalProperties: false },
);

const ModeName = StringEnum(MODES);

export const ModePayload = Type.Object(
  {
    ...Envelope,
    mode: StringEnum(MODES, { description: 'the estate-wide mode' }),
    scopes: Type.Array(
      Type.Object(
        {
          scope: Type.String({ description: '"estate" or a gate id' }),
          mode: ModeName,
          reason: Type.String(),
          by: Type.String(),
          since: Type.String(),
          expiresAt: Type.Union([Type.String(), Type.Null()]),
          drill: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
      { description: 'every scope not in normal mode; a gate follows the stricter of the estate and its own scope' },
    ),
  },
  { additionalProperties: false },
);

const Count = Type.Integer({ minimum: 0 });

export const HealthPayload = Type.Object(
  {
    ...Envelope,
    mode: ModeName,
    uptimeS: Count,
    devices: Type.Record(Type.String(), StringEnum(['online', 'degraded', 'offline'] as const)),
    lanes: Type.Record(Type.String(), Type.Object({ phase: Type.String(), mode: ModeName }, { additionalProperties: false })),
    outbox: Type.Object(
      { depth: Count, oldestAgeMs: Type.Union([Count, Type.Null()]), capacity: Count, shed: Count },
      { additionalProperties: false },
    ),
    broker: Type.Object({ connected: Type.Boolean(), url: Type.String() }, { additionalProperties: false }),
    uplink: Type.Union([Type.Object({ connected: Type.Boolean(), depth: Count }, { additionalProperties: false }), Type.Null()]),
    trust: Type.Object({ ageS: Count, stale: Type.Boolean(), issuers: Count }, { additionalProperties: false }),
    counters: Type.Object({ published: Count, commands: Count, commandsRefused: Count }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

export const StatsPayload = Type.Object(
  {
    ...Envelope,
    from: Type.String(),
    to: Type.String(),
    gates: Type.Record(
      Type.String(),
      Type.Object(
        {
          grant: Count,
          deny: Count,
          refer: Count,
          alerts: Count,
          entries: Type.Integer({ minimum: 0, description: 'granted passages going in' }),
          exits: Type.Integer({ minimum: 0, description: 'granted passages going out' }),
          refusals: Type.Record(Type.String(), Count, { description: 'denied or referred passages by reason code' }),
          fevers: Type.Integer({ minimum: 0, description: 'passages with a fever reason (FEVER, FEVER_SOFT, FEVER_UNCONFIRMED)' }),
        },
        { additionalProperties: false },
      ),
      { description: 'passages by verdict, entries, exits, refusals by reason, fevers and alerts per gate in the interval (estate plan, rule 7)' },
    ),
    ...Chain,
  },
  { additionalProperties: false },
);

export const GapPayload = Type.Object(
  {
    ...Envelope,
    reason: StringEnum(['outbox-full'] as const, { description: 'why the reports were not delivered' }),
    outbox: StringEnum(['outbox', 'uplink_outbox'] as const, { description: 'the queue they were shed from: the estate broker or the district uplink' }),
    ranges: Type.Array(Type.Object({ from: Type.Integer({ minimum: 1 }), to: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }), {
      description: 'the shed sequence numbers, inclusive ranges; cmd/resend may recover them while storage.retentionDays keeps them',
    }),
    count: Count,
    ...Chain,
    ...Signature,
  },
  { additionalProperties: false },
);

export const AuditPayload = Type.Object(
  {
    ...Envelope,
    commandId: Type.String(),
    name: Type.String({ description: 'the command name as sent (an unknown name too)' }),
    via: StringEnum(['mqtt', 'http', 'cli'] as const),
    principal: Type.String(),
    role: Type.String(),
    ok: Type.Boolean(),
    errorCode: Type.Union([Type.String(), Type.Null()]),
    mode: Type.Optional(
      Type.Object(
        {
          mode: ModeName,
          gates: Type.Union([Type.Array(Type.String()), Type.Null()]),
          reason: Type.String(),
          by: Type.String(),
          expiresAt: Type.Union([Type.String(), Type.Null()]),
          drill: Type.Boolean(),
        },
        { additionalProperties: false, description: 'an accepted lockdown or mode command: the mode change it made (its expiry included)' },
      ),
    ),
    ...Chain,
  },
  { additionalProperties: false },
);

export const CheckpointPayload = Type.Object(
  {
    ...Envelope,
    seq: Type.Integer({ minimum: 0, description: 'the last report sequence number assigned (0 before the first report)' }),
    hash: Hex256('the hash of that report (64 zeros before the first)'),
    ...Signature,
  },
  { additionalProperties: false },
);

export const ReplyPayload = Type.Object(
  {
    id: Type.String({ minLength: 1, description: 'the id of the command answered' }),
    ts: Envelope.ts,
    v: Envelope.v,
    ok: Type.Boolean(),
    error: Type.Optional(
      Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Array(Type.String())) }, { additionalProperties: false }),
    ),
    data: Type.Optional(Type.Unknown()),
    warnings: Type.Optional(Type.Array(Type.String(), { description: 'accepted, with something to check: a subject that matches no known person, an entry not on the list' })),
  },
  { additionalProperties: false },
);

const Words = Type.Object({ zh: Type.String(), en: Type.String() }, { additionalProperties: false });
const NullableId = Type.Union([Type.String(), Type.Null()]);

/**
 * What the estate is made of, retained like zigbee2mqtt's `bridge/devices`: a
 * consumer that subscribes late learns the gates, lanes and devices, and the
 * words for every code it will see, without reading the gateway's config.
 */
export const TopologyPayload = Type.Object(
  {
    ...Envelope,
    estate: Type.Object({ id: Type.String(), name: Type.String(), timeZone: Type.String({ description: 'IANA zone the estate day is counted in' }) }, { additionalProperties: false }),
    gates: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          name: Type.String(),
          lanes: Type.Array(
            Type.Object(
              {
                id: Type.String(),
                direction: StringEnum(['in', 'out', 'both'] as const),
                kind: StringEnum(['pedestrian', 'vehicle'] as const),
                temperatureEnforcement: StringEnum(['hard', 'soft'] as const),
                devices: Type.Record(Type.String(), Type.String(), { description: 'slot (scanner, thermometer, barrier, …) → device id' }),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    devices: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          role: Type.String(),
          driver: StringEnum(['virtual', 'profile'] as const),
          profile: Type.Union([Type.String(), Type.Null()], { description: 'the device model: a profile file in devices/ (null for a virtual device)' }),
          gate: NullableId,
          lane: NullableId,
          slot: Type.Union([Type.String(), Type.Null()], { description: 'the lane slot the device fills' }),
        },
        { additionalProperties: false },
      ),
    ),
    reasons: Type.Record(Type.String(), Type.Object({ text: Type.String({ description: 'what the code means (src/core/reasons.ts)' }), zh: Type.String(), en: Type.String() }, { additionalProperties: false }), {
      description: 'every reason code with its meaning and the words the guard-room page shows',
    }),
    alerts: Type.Record(Type.String(), Words, { description: 'every alert type with its words' }),
    verdicts: Type.Record(Type.String(), Words),
    modes: Type.Record(Type.String(), Words),
  },
  { additionalProperties: false },
);

export type StatusMessage = Static<typeof StatusPayload>;
export type ModeMessage = Static<typeof ModePayload>;
export type HealthMessage = Static<typeof HealthPayload>;
export type StatsMessage = Static<typeof StatsPayload>;
export type ReplyMessage = Static<typeof ReplyPayload>;
export type PassageMessage = Static<typeof PassagePayload>;
export type AlertMessage = Static<typeof AlertPayload>;
export type DeviceMessage = Static<typeof DevicePayload>;
export type GapMessage = Static<typeof GapPayload>;
export type AuditMessage = Static<typeof AuditPayload>;
export type CheckpointMessage = Static<typeof CheckpointPayload>;
export type TopologyMessage = Static<typeof TopologyPayload>;
