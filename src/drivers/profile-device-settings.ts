import { Type, type Static } from '@sinclair/typebox';
import { Id, StringEnum } from '../schema/types.js';
import { ROLES } from './profile/profile-schema.js';

/**
 * One device in the gateway config, driven by a profile from `devices/`.
 * The profile says what the model is; these settings say where this unit is
 * wired and how it is calibrated. Absent values come from the profile.
 */
export const ProfileDeviceSettings = Type.Object(
  {
    id: Id,
    role: StringEnum(ROLES),
    driver: Type.Literal('profile'),
    /** File name in `devices/` without `.yaml`. */
    profile: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
    /** Serial port path, e.g. /dev/ttyUSB0 or /dev/serial/by-id/…; devices on one RS-485 bus share it. */
    port: Type.Optional(Type.String({ minLength: 1 })),
    baudRate: Type.Optional(Type.Integer({ minimum: 300, maximum: 921_600 })),
    /** Modbus TCP server address (127.0.0.1, a converter on the LAN). */
    host: Type.Optional(Type.String({ minLength: 1 })),
    tcpPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535 })),
    /** Modbus unit id of this device on its bus (Serial Line V1.02 §2.2: 1–247). */
    unitId: Type.Optional(Type.Integer({ minimum: 1, maximum: 247 })),
    pollMs: Type.Optional(Type.Integer({ minimum: 20 })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 10_000 })),
    /** Per-unit correction in °C added to every reading, from the site's calibration against a reference. */
    /** A site correction, not a second threshold: past ±1 °C a 38.2 reading could pass as 37.2 (found from outside). */
    calibrationOffset: Type.Optional(Type.Number({ minimum: -1, maximum: 1 })),
  },
  { additionalProperties: false },
);

export type ProfileDeviceSettings = Static<typeof ProfileDeviceSettings>;
