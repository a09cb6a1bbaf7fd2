import { Type, type Static } from '@sinclair/typebox';
import { DateTimeInput } from '../schema/date-time.js';
import { StringEnum } from '../schema/types.js';
import { SUBJECT_ROLES } from '../core/credential.js';
import { CommandsConfigSchema } from '../commands/config-schema.js';
import { Card, Vehicle as CommandVehicle } from '../contract/command-schemas.js';
import { MqttConfigSchema } from '../mqtt/config-schema.js';
import { HttpConfigSchema } from '../http/config-schema.js';
import { DeviceSettings } from '../drivers/device-settings.js';
import { EstateInfoSchema, Gate } from '../estate/layout-schema.js';

/**
 * The gateway configuration: one schema gives the TypeScript type, the JSON
 * Schema for validation and the defaults. Keys are camelCase, durations carry
 * their unit in the name.
 */

const Policy = Type.Object(
  {
    version: Type.String({ minLength: 1 }),
    /** Estate plan, rule 1: 37.3 °C. Bounded so a typo cannot wave a fever through. */
    feverThresholdC: Type.Number({ minimum: 37, maximum: 37.5, default: 37.3 }),
    plausibleMinC: Type.Number({ minimum: 20, maximum: 36, default: 34 }),
    plausibleMaxC: Type.Number({ minimum: 38, maximum: 45, default: 42.5 }),
    maxRemeasures: Type.Integer({ minimum: 0, maximum: 5, default: 2 }),
    readingFreshnessMs: Type.Integer({ minimum: 0, maximum: 30_000, default: 3000 }),
    measureTimeoutMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 5000 }),
    passageTimeoutMs: Type.Integer({ minimum: 500, maximum: 120_000, default: 8000 }),
    /** At least 10 s: 0 would turn screenshot-sharing detection off (found from outside). */
    replayWindowS: Type.Integer({ minimum: 10, maximum: 3600, default: 60 }),
    /** How long a card, visitor pass or plate waits for the health pass that must follow it (estate plan, rule 1). */
    pairingWindowMs: Type.Integer({ minimum: 1000, maximum: 120_000, default: 15_000 }),
    /**
     * A relaxing policy: let a roster card in alone, without the health pass, in normal mode only. Off by
     * default, since the plan asks everyone for the code; a decision it allows says CARD_ALONE_POLICY.
     */
    cardAloneEntry: Type.Boolean({ default: false }),
    suspectedCaseOnFever: Type.Boolean({ default: true }),
    /**
     * After a refusal with a confirmed fever the person is refused FEVER at every lane for this long: a later normal
     * reading (a rescan on a cooled forehead) never clears a confirmed fever. 0 turns the hold off.
     */
    feverHoldMinutes: Type.Integer({ minimum: 0, maximum: 1440, default: 30 }),
    /** Who a suspected-case alert is routed to (estate plan, rule 3): police, community health station, … */
    suspectedCaseContacts: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { default: [] }),
    /** Roles the lockdown rules do not hold back (docs/rules.md). */
    // Never residents: exempting them would let every resident out of a lockdown without an exit pass (found from outside).
    lockdownExemptRoles: Type.Array(StringEnum(SUBJECT_ROLES.filter((role) => role !== 'resident')), { default: ['medical', 'emergency'], uniqueItems: true }),
    /** Flag (reason + alert) a card or pass that enters twice without leaving. */
    antiPassback: Type.Boolean({ default: false }),
    /** During a drill, do lockdown refusals keep the barrier closed? Off: recorded and alerted, barrier opens. */
    drillEnforces: Type.Boolean({ default: true }),
    /** Past this age the district's risk-area list is stale and visitors with an origin are referred. */
    riskListMaxAgeHours: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], { default: 48 }),
    /** How often the shell looks for exit passes whose holder has not returned by the deadline. */
    exitOverdueCheckS: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
  },
  { additionalProperties: false },
);

const Issuer = Type.Object(
  {
    kid: Type.String({ minLength: 1, maxLength: 64 }),
    publicKey: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'raw 32-byte Ed25519 public key, base64url' }),
  },
  { additionalProperties: false },
);

const Trust = Type.Object(
  {
    maxAgeHours: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], { default: 72 }),
    /** When this list was last refreshed from the issuer; defaults to the time the config is loaded. */
    refreshedAt: Type.Optional(DateTimeInput),
    issuers: Type.Array(Issuer, { default: [] }),
  },
  { additionalProperties: false, default: {} },
);

/** A vehicle in the config may leave its role out: a resident's. */
const Vehicle = Type.Object({ ...CommandVehicle.properties, role: StringEnum(SUBJECT_ROLES, { default: 'resident' }) }, { additionalProperties: false });

const Storage = Type.Object(
  {
    path: Type.String({ default: './data/gatewarden.db' }),
    /** FULL survives power loss; NORMAL survives a process crash (WAL). See docs/operations.md. */
    synchronous: StringEnum(['full', 'normal'] as const, { default: 'full' }),
    /** Passages older than this are purged (personal data: keep no longer than the plan needs). */
    retentionDays: Type.Integer({ minimum: 1, maximum: 3650, default: 30 }),
    /** Alerts are evidence of what was reported and when: kept longer than passages. */
    alertRetentionDays: Type.Integer({ minimum: 1, maximum: 3650, default: 365 }),
  },
  { additionalProperties: false, default: {} },
);

const Secrets = Type.Object(
  {
    path: Type.String({ default: './data/secrets.json' }),
    /** Generate missing secrets on first run (the demo does); otherwise a missing file stops the start. */
    generate: Type.Boolean({ default: false }),
  },
  { additionalProperties: false, default: {} },
);

const Demo = Type.Object(
  {
    crowd: Type.Boolean({ default: false }),
    /** Mean time between people arriving at each lane. */
    arrivalEveryMs: Type.Integer({ minimum: 50, maximum: 600_000, default: 2500 }),
    seed: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false, default: {} },
);

export const ConfigSchema = Type.Object(
  {
    estate: EstateInfoSchema,
    gates: Type.Array(Gate, { minItems: 1 }),
    devices: Type.Array(DeviceSettings, { minItems: 1 }),
    policy: Policy,
    trust: Trust,
    roster: Type.Object({ cards: Type.Array(Card, { default: [] }), vehicles: Type.Array(Vehicle, { default: [] }) }, { additionalProperties: false, default: {} }),
    mqtt: MqttConfigSchema,
    commands: CommandsConfigSchema,
    http: HttpConfigSchema,
    storage: Storage,
    secrets: Secrets,
    log: Type.Object({ level: StringEnum(['trace', 'debug', 'info', 'warn', 'error'] as const, { default: 'info' }) }, { additionalProperties: false, default: {} }),
    demo: Demo,
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type DeviceConfig = DeviceSettings;
