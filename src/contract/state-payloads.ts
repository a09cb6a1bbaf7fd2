import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from '../schema/types.js';
import { MODES } from '../core/mode.js';
import { Count, Envelope, ModeName } from './payload-fields.js';

/** Payload schemas of the retained and periodic state topics: status, device, mode, health, topology. */

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
export type DeviceMessage = Static<typeof DevicePayload>;
export type TopologyMessage = Static<typeof TopologyPayload>;
/** The topology as built from the config, before the envelope is added. */
export type TopologyBody = Omit<TopologyMessage, 'id' | 'ts' | 'v'>;
