import { Type, type Static } from '@sinclair/typebox';
import { ALERT_TYPES } from '../core/alerts.js';
import { StringEnum } from '../schema/types.js';
import { Chain, Count, Envelope, Hex256, ModeName, Reasons, Signature } from './payload-fields.js';

/** Payload schemas of the reports, chained and signed (docs/district.md): passage, alert, stats, audit, gap, checkpoint. */

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
    mode: ModeName,
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

export type PassageMessage = Static<typeof PassagePayload>;
export type AlertMessage = Static<typeof AlertPayload>;
export type StatsMessage = Static<typeof StatsPayload>;
export type GapMessage = Static<typeof GapPayload>;
export type AuditMessage = Static<typeof AuditPayload>;
export type CheckpointMessage = Static<typeof CheckpointPayload>;
