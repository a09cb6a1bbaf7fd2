import { Type, type Static } from '@sinclair/typebox';

const Coil = Type.Integer({ minimum: 0, maximum: 0xffff });

/** A Modbus relay board driving a barrier: a pulsed coil, and the passage sensor on a discrete input. */
export const RelaySchema = Type.Object(
  {
    releaseCoil: Coil,
    /** How long the release contact is closed; the barrier controller latches the opening. */
    pulseMs: Type.Integer({ minimum: 50, maximum: 10_000, default: 500 }),
    passageInput: Type.Optional(Coil),
    /** The sensor input reads 1 while something is in the passage (a photo-eye interrupted). */
    passageActiveHigh: Type.Boolean({ default: true }),
    sensorPollMs: Type.Integer({ minimum: 20, maximum: 5_000, default: 100 }),
  },
  { additionalProperties: false },
);

/** A serial barrier controller: ASCII commands, each acknowledged by the controller. */
export const ActionsSchema = Type.Object(
  {
    release: Type.String({ minLength: 1 }),
    holdOpen: Type.String({ minLength: 1 }),
    lock: Type.String({ minLength: 1 }),
    /** A frame matching this acknowledges the pending command. */
    ack: Type.String({ minLength: 1 }),
    /** A frame matching this refuses it (for example a fault on the drive). */
    nack: Type.Optional(Type.String({ minLength: 1 })),
    /** An unsolicited frame matching this reports a passage. */
    passage: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

const OutputSchema = Type.Object(
  {
    coil: Coil,
    /** Switch the output off again after this long (a buzzer beep); absent means steady. */
    pulseMs: Type.Optional(Type.Integer({ minimum: 20, maximum: 10_000 })),
  },
  { additionalProperties: false },
);

/** The outputs switched on for a signal; every other output is switched off. */
const OutputNames = Type.Array(Type.String());

/** Lights and buzzer on relay coils: named outputs, and which are on for each signal. */
export const IndicatorSchema = Type.Object(
  {
    outputs: Type.Record(Type.String({ pattern: '^[a-z][a-zA-Z0-9]*$' }), OutputSchema),
    signals: Type.Object(
      { idle: OutputNames, grant: OutputNames, deny: OutputNames, refer: OutputNames, busy: OutputNames },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type RelaySpec = Static<typeof RelaySchema>;
export type ActionsSpec = Static<typeof ActionsSchema>;
export type IndicatorSpec = Static<typeof IndicatorSchema>;
