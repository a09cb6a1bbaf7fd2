import { Type, type Static } from '@sinclair/typebox';
import { Id, StringEnum } from '../../schema/types.js';
import { makeValidator } from '../../schema/validate.js';
import { ActionsSchema, IndicatorSchema, RelaySchema } from './actuator-schema.js';
import { AnnouncerSchema } from './announcer-schema.js';

/**
 * The device profile: everything about a device model, as data (`devices/<model>.yaml`).
 * Sections that only some roles use are optional here; `checkProfile` says
 * which role and transport need which section.
 */
export const ROLES = ['scanner', 'thermometer', 'barrier', 'plate-reader', 'indicator', 'announcer'] as const;

const Address = Type.Integer({ minimum: 0, maximum: 0xffff, description: 'zero-based protocol address (register 40001 is holding address 0)' });

export const TransportSchema = Type.Object(
  {
    /** `local`: no wire, a program on the gateway itself (an announcer playing clips through the sound card). */
    kind: StringEnum(['modbus-rtu', 'modbus-tcp', 'serial-line', 'local'] as const),
    baudRate: Type.Integer({ minimum: 300, maximum: 921_600, default: 9600 }),
    dataBits: Type.Union([Type.Literal(5), Type.Literal(6), Type.Literal(7), Type.Literal(8)], { default: 8 }),
    // Serial Line V1.02 §2.5.1: even parity is the Modbus default, but most gate hardware ships 8N1.
    parity: StringEnum(['none', 'even', 'odd'] as const, { default: 'none' }),
    stopBits: Type.Union([Type.Literal(1), Type.Literal(2)], { default: 1 }),
    unitId: Type.Integer({ minimum: 1, maximum: 247, default: 1, description: 'Serial Line V1.02 §2.2: 1–247; 0 is broadcast' }),
    tcpPort: Type.Integer({ minimum: 1, maximum: 65_535, default: 502 }),
  },
  { additionalProperties: false },
);

export const TimingSchema = Type.Object(
  {
    pollMs: Type.Integer({ minimum: 20, default: 1000 }),
    timeoutMs: Type.Integer({ minimum: 10, maximum: 10_000, default: 500 }),
    retries: Type.Integer({ minimum: 0, maximum: 5, default: 1 }),
    /** After a timeout, how long the same unit is left alone so its late reply dies out. */
    lateReplyGuardMs: Type.Integer({ minimum: 0, maximum: 10_000, default: 200 }),
    failuresToOffline: Type.Integer({ minimum: 1, maximum: 20, default: 3 }),
    breakerCooldownMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 2000 }),
  },
  { additionalProperties: false, default: {} },
);

export const FramingSchema = Type.Object(
  {
    kind: StringEnum(['terminator', 'regex'] as const, { default: 'terminator' }),
    terminator: Type.Optional(StringEnum(['cr', 'lf', 'crlf'] as const)),
    terminatorByte: Type.Optional(Type.Integer({ minimum: 0, maximum: 255, description: 'a custom terminator byte, e.g. 3 (ETX)' })),
    prefix: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
    suffix: Type.Optional(Type.String({ minLength: 1, maxLength: 16 })),
    /** For `regex` framing: one match is one frame; a named group `value` is the payload. */
    pattern: Type.Optional(Type.String({ minLength: 1 })),
    /** For terminator framing: frames not matching are noise; a named group `value` is the payload. */
    match: Type.Optional(Type.String({ minLength: 1 })),
    maxFrameLength: Type.Integer({ minimum: 4, maximum: 4096, default: 256 }),
  },
  { additionalProperties: false },
);

export const RegisterSchema = Type.Object(
  {
    function: StringEnum(['holding', 'input'] as const),
    address: Address,
    type: StringEnum(['int16', 'uint16', 'int32', 'uint32', 'float32'] as const),
    byteOrder: StringEnum(['big', 'little'] as const, { default: 'big' }),
    wordOrder: StringEnum(['big', 'little'] as const, { default: 'big' }),
    scale: Type.Number({ default: 1 }),
    offset: Type.Number({ default: 0 }),
  },
  { additionalProperties: false },
);

export const TriggerSchema = Type.Object(
  {
    /** `poll`: read every pollMs; `on-demand`: read when the lane asks; `push`: the device sends by itself. */
    mode: StringEnum(['poll', 'on-demand', 'push'] as const),
    /** Polled registers: how often the device itself takes a new sample (its datasheet). Defaults to pollMs. */
    sampleRefreshMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
    /** Written before reading to start a measurement, when the model needs it. */
    write: Type.Optional(
      Type.Object(
        { function: StringEnum(['coil', 'holding'] as const), address: Address, value: Type.Integer({ minimum: 0, maximum: 0xffff }) },
        { additionalProperties: false },
      ),
    ),
    settleMs: Type.Integer({ minimum: 0, maximum: 10_000, default: 0 }),
  },
  { additionalProperties: false },
);

const RangeSchema = Type.Object({ min: Type.Number(), max: Type.Number() }, { additionalProperties: false });

export const CompensationSchema = Type.Object(
  {
    /** body = measured × gain + offset: the forehead-to-core correction from the datasheet. */
    gain: Type.Number({ exclusiveMinimum: 0, default: 1 }),
    offset: Type.Number({ minimum: -5, maximum: 5, default: 0 }),
  },
  { additionalProperties: false, default: {} },
);

/**
 * How the simulator speaks for this model where the profile's patterns cannot
 * be inverted. The catalogue test checks these examples against the patterns.
 */
export const SimulatorSchema = Type.Object(
  {
    /** Payload template (`{value}` is replaced); terminator framing adds prefix, suffix and terminator. */
    frame: Type.String({ minLength: 1, default: '{value}' }),
    ack: Type.Optional(Type.String({ minLength: 1 })),
    nack: Type.Optional(Type.String({ minLength: 1 })),
    passage: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false, default: {} },
);

export const ProfileSchema = Type.Object(
  {
    model: Id,
    description: Type.String({ minLength: 1 }),
    role: StringEnum(ROLES),
    transport: TransportSchema,
    timing: TimingSchema,
    framing: Type.Optional(FramingSchema),
    reading: Type.Optional(RegisterSchema),
    trigger: Type.Optional(TriggerSchema),
    plausible: Type.Optional(RangeSchema),
    compensation: Type.Optional(CompensationSchema),
    relay: Type.Optional(RelaySchema),
    actions: Type.Optional(ActionsSchema),
    indicator: Type.Optional(IndicatorSchema),
    announcer: Type.Optional(AnnouncerSchema),
    simulator: SimulatorSchema,
  },
  { additionalProperties: false },
);

export type DeviceProfile = Static<typeof ProfileSchema>;
export type TimingSpec = Static<typeof TimingSchema>;
export type FramingSpec = Static<typeof FramingSchema>;
export type RegisterSpec = Static<typeof RegisterSchema>;

export const profileValidator = makeValidator(ProfileSchema);
