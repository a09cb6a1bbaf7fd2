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

const Reasons = Type.Array(StringEnum(REASON_CODES));

export const StatusPayload = Type.Object(
  {
    ...Envelope,
    online: Type.Boolean(),
    mode: StringEnum(['normal', 'lockdown', 'emergency-open'] as const),
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
    credential: StringEnum(['health-pass', 'card', 'unreadable'] as const),
    subject: Type.Union([Type.String(), Type.Null()], { description: 'keyed hash of the subject id, never the raw id' }),
    temperatureC: Type.Union([Type.Number(), Type.Null()]),
    mode: StringEnum(['normal', 'lockdown', 'emergency-open'] as const),
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

export type StatusMessage = Static<typeof StatusPayload>;
export type PassageMessage = Static<typeof PassagePayload>;
export type AlertMessage = Static<typeof AlertPayload>;
export type DeviceMessage = Static<typeof DevicePayload>;
