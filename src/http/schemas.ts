import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MODES } from '../core/mode.js';
import { DateTimeInput } from '../schema/date-time.js';
import { StringEnum } from '../schema/types.js';

/**
 * The API's resource schemas. Routes use them for validation, for response
 * serialization and for the OpenAPI document, so the three never disagree.
 * Times are ISO 8601 strings.
 */

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const IsoTime = Type.String({ format: 'date-time', description: 'ISO 8601 date-time' });
/** For request fields: a day that exists (found from outside: 31 February was taken as 3 March). */
export const IsoTimeInput = DateTimeInput;
export const Verdict = StringEnum(['grant', 'deny', 'refer'] as const);
export const ModeName = StringEnum(MODES);
export const Reason = Type.String({ minLength: 3, maxLength: 500, description: 'why, in words; kept in the audit trail' });

export const PassageSchema = Type.Object({
  id: Type.String(),
  at: IsoTime,
  gate: Type.String(),
  lane: Type.String(),
  direction: StringEnum(['in', 'out'] as const),
  kind: Type.String(),
  credential: Type.String(),
  verdict: Verdict,
  reasons: Type.Array(Type.String()),
  rule: Type.String(),
  policyVersion: Type.String(),
  temperatureC: Nullable(Type.Number()),
  mode: Type.String(),
  outcome: Nullable(Type.String()),
});
export type PassageView = Static<typeof PassageSchema>;

export const AlertSchema = Type.Object({
  id: Type.String(),
  at: IsoTime,
  type: Type.String(),
  severity: StringEnum(['info', 'warning', 'critical'] as const),
  gate: Nullable(Type.String()),
  lane: Nullable(Type.String()),
  passageId: Nullable(Type.String()),
  reasons: Type.Array(Type.String()),
  details: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])),
  ackedAt: Nullable(IsoTime),
  ackedBy: Nullable(Type.String()),
});
export type AlertView = Static<typeof AlertSchema>;

export const DeviceSchema = Type.Object({
  id: Type.String(),
  role: Type.String(),
  availability: StringEnum(['online', 'degraded', 'offline'] as const),
  since: IsoTime,
  lastError: Nullable(Type.Object({ code: Type.String(), message: Type.String(), at: IsoTime })),
  gate: Nullable(Type.String()),
  lane: Nullable(Type.String()),
  slot: Nullable(Type.String()),
  noiseBytes: Nullable(Type.Integer({ description: 'bytes the device\'s serial line dropped as noise since start (no frame, oversize, no match); null on a device without a line of its own' })),
});
export type DeviceView = Static<typeof DeviceSchema>;

export const LaneSchema = Type.Object({
  id: Type.String(),
  gate: Type.String(),
  gateName: Type.String(),
  lane: Type.String(),
  kind: Type.String(),
  direction: StringEnum(['in', 'out', 'both'] as const, { description: 'both: a two-way lane; its last passage says which way' }),
  phase: Type.String({ description: 'idle, measuring, passing, … or stopped' }),
  mode: ModeName,
  lastPassage: Nullable(PassageSchema),
  lastReading: Nullable(Type.Object({ celsius: Type.Number(), at: IsoTime })),
  devices: Type.Array(DeviceSchema),
});
export type LaneView = Static<typeof LaneSchema>;

const ScopedModeSchema = Type.Object({
  scope: Type.String({ description: '"estate" or a gate id' }),
  mode: ModeName,
  reason: Type.String(),
  by: Type.String(),
  since: IsoTime,
  expiresAt: Nullable(IsoTime),
  drill: Type.Boolean(),
});

export const ModeSchema = Type.Object({
  estate: ModeName,
  gates: Type.Record(Type.String(), ModeName, { description: 'the mode each gate follows' }),
  scopes: Type.Array(ScopedModeSchema, { description: 'active modes other than normal' }),
});
export type ModeView = Static<typeof ModeSchema>;

/** The mode after a lockdown or a lift, and what the command replaced (the command's warnings). */
export const ModeChangeSchema = Type.Composite([
  ModeSchema,
  Type.Object({ warnings: Type.Optional(Type.Array(Type.String(), { description: 'each scope the command replaced, and what was in force there: "<scope>: was <mode> by <author> (<reason>) since …"' })) }),
]);

export const AuditSchema = Type.Object({
  seq: Type.Integer(),
  at: IsoTime,
  commandId: Type.String(),
  name: Type.String(),
  via: Type.String(),
  principal: Type.String(),
  role: Type.String(),
  ok: Type.Boolean(),
  errorCode: Nullable(Type.String()),
  message: Nullable(Type.String({ description: 'why the command was refused' })),
  warnings: Type.Optional(Type.Array(Type.String(), { description: 'what an accepted command answered to check: a mode it replaced, a subject that matches no known person' })),
  body: Type.Unknown(),
});
export type AuditView = Static<typeof AuditSchema>;

export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Nullable(Type.String({ description: 'pass as `cursor` for the next page' })) });

export const iso = (ms: number): string => new Date(ms).toISOString();
export const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));
