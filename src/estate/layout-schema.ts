import { Type, type Static } from '@sinclair/typebox';
import type { DeviceSettings } from '../drivers/device-settings.js';
import { Id, StringEnum } from '../schema/types.js';

/**
 * The estate as configured: its name, its gates and their lanes, each lane's
 * devices by slot. The lanes, the MQTT topology and discovery and the
 * guard-room page read it; src/config/schema.ts gathers it into the config.
 */

const DeviceRef = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,47}$', description: 'id of an entry in devices' });

const LaneDevices = Type.Object(
  {
    scanner: DeviceRef,
    exitScanner: Type.Optional(DeviceRef),
    /** A window scanner for the occupants' health passes on a vehicle lane whose scanner reads plates. */
    codeScanner: Type.Optional(DeviceRef),
    thermometer: Type.Optional(DeviceRef),
    barrier: DeviceRef,
    indicator: Type.Optional(DeviceRef),
    /** The lane's voice (请出示健康码, 体温正常请通行, …): a voice module or a local player. */
    announcer: Type.Optional(DeviceRef),
  },
  { additionalProperties: false },
);

const Lane = Type.Object(
  {
    id: Id,
    direction: StringEnum(['in', 'out', 'both'] as const),
    kind: StringEnum(['pedestrian', 'vehicle'] as const, { default: 'pedestrian' }),
    temperatureEnforcement: StringEnum(['hard', 'soft'] as const, { default: 'hard' }),
    devices: LaneDevices,
  },
  { additionalProperties: false },
);

export const Gate = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1 }),
    lanes: Type.Array(Lane, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export const EstateInfoSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1 }),
    /** IANA zone the page and the CSV export show times in (the store keeps UTC). */
    timeZone: Type.String({ pattern: '^[A-Za-z]+(?:/[A-Za-z0-9_+-]+)*$', default: 'Asia/Shanghai' }),
  },
  { additionalProperties: false },
);

export type LaneConfig = Static<typeof Lane>;
export type GateConfig = Static<typeof Gate>;
export type EstateInfo = Static<typeof EstateInfoSchema>;

/** What a part needs to describe the estate: who it is, its gates and lanes, its devices. */
export interface EstateLayout {
  readonly estate: EstateInfo;
  readonly gates: readonly GateConfig[];
  readonly devices: readonly DeviceSettings[];
}
