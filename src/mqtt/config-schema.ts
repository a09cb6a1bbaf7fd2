import { Type, type Static } from '@sinclair/typebox';
import { BROKER_ROLES, EXTERNAL_COMMAND_ROLES } from '../core/roles.js';
import { StringEnum } from '../schema/types.js';

/**
 * Config of the MQTT side (`mqtt:`).
 * Passwords never appear here: embedded users carry a scrypt hash
 * (`gatewarden` generates them), external brokers name a secret.
 */

const Tls = Type.Object(
  {
    /** PEM files. The TLS listener runs beside the plain one, unless `plaintext` is false. */
    certFile: Type.String(),
    keyFile: Type.String(),
    caFile: Type.Optional(Type.String({ description: 'CA for client certificates; when set, clients must present one' })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'default 8883' })),
    /** false: no plain listener at all, so no password crosses the LAN in clear (the gateway's own session is in-process). */
    plaintext: Type.Optional(Type.Boolean({ description: 'default true; false turns the plain MQTT listener off' })),
  },
  { additionalProperties: false },
);

const BrokerUser = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    role: StringEnum(BROKER_ROLES),
    passwordHash: Type.String({ pattern: '^scrypt\\$[A-Za-z0-9_-]+\\$[A-Za-z0-9_-]+$', description: 'scrypt hash (gatewarden keys hash-password)' }),
  },
  { additionalProperties: false },
);

const Limits = Type.Object(
  {
    maxPayloadBytes: Type.Integer({ minimum: 256, maximum: 268_435_455 }),
    maxConnections: Type.Integer({ minimum: 1, maximum: 100_000 }),
    /** Messages queued per offline or slow client before aedes drops the client. */
    queueLimit: Type.Integer({ minimum: 1, maximum: 100_000 }),
    /**
     * Largest MQTT packet, read from the fixed header before the body arrives and
     * before authentication: a socket announcing more is cut at once.
     */
    maxPacketBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 268_435_455, description: 'default 262144 (256 KiB)' })),
  },
  { additionalProperties: false },
);

export const DEFAULT_LIMITS: Static<typeof Limits> = { maxPayloadBytes: 65_536, maxConnections: 64, queueLimit: 1000 };
export const DEFAULT_MAX_PACKET_BYTES = 262_144;

const EmbeddedBroker = Type.Object(
  {
    type: Type.Literal('embedded'),
    host: Type.String({ default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
    users: Type.Optional(Type.Array(BrokerUser)),
    limits: Type.Optional(Limits),
    tls: Type.Optional(Tls),
  },
  { additionalProperties: false },
);

/**
 * One broker, or the nodes of a broker cluster: the session moves to the next
 * node when one is lost (docs/operations.md, "Broker clusters and failover").
 */
const BrokerUrl = Type.Union([Type.String({ pattern: '^mqtts?://' }), Type.Array(Type.String({ pattern: '^mqtts?://' }), { minItems: 1, maxItems: 16 })]);

/**
 * Default false: a persistent session under the fixed client id, so what the
 * broker queued for it survives a reconnect, to the same node or another one
 * of a cluster that replicates sessions ([MQTT-3.1.2-4]).
 */
const CleanSession = Type.Optional(Type.Boolean({ description: 'default false (a persistent session)' }));

const ExternalBroker = Type.Object(
  {
    type: Type.Literal('external'),
    url: BrokerUrl,
    cleanSession: CleanSession,
    username: Type.Optional(Type.String()),
    /** Name of the password in the secrets file; never the password itself. */
    passwordSecret: Type.Optional(Type.String()),
    /** Client certificate (mqtts://): PEM files. */
    certFile: Type.Optional(Type.String()),
    keyFile: Type.Optional(Type.String()),
    caFile: Type.Optional(Type.String()),
    /** 5 enables response topics and correlation data on command replies. */
    protocolVersion: Type.Optional(Type.Union([Type.Literal(4), Type.Literal(5)], { description: 'default 4' })),
    /**
     * The gateway cannot see who published a command on an external broker: the
     * broker's ACL decides who may publish to `…/cmd/#`, and an unsigned command
     * is treated as sent by this role.
     */
    commandRole: Type.Optional(StringEnum(EXTERNAL_COMMAND_ROLES, { description: 'default manager' })),
  },
  { additionalProperties: false },
);

const Uplink = Type.Object(
  {
    url: BrokerUrl,
    cleanSession: CleanSession,
    username: Type.Optional(Type.String()),
    passwordSecret: Type.Optional(Type.String()),
    caFile: Type.Optional(Type.String()),
    clientId: Type.Optional(Type.String()),
    /** Alerts, status, health and stats always go up; passages only when set. */
    passages: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);

const Outbox = Type.Object(
  {
    /** Past this many rows passages are shed (oldest first); alerts are never shed. */
    maxRows: Type.Integer({ minimum: 100, maximum: 10_000_000, default: 200_000 }),
    window: Type.Integer({ minimum: 1, maximum: 1000, default: 64 }),
  },
  { additionalProperties: false, default: {} },
);

/**
 * Chosen by `type` with if/then/else rather than a union: ajv applies the
 * defaults of a `then` branch but none inside anyOf ([ajv: useDefaults]), so
 * `{ type: embedded }` gets the host and port it declares; and an error names
 * the keys of the one branch that applies instead of listing both.
 */
const Broker = Type.Unsafe<Static<typeof EmbeddedBroker> | Static<typeof ExternalBroker>>({
  type: 'object',
  required: ['type'],
  if: { properties: { type: { const: 'embedded' } } },
  then: EmbeddedBroker,
  else: {
    if: { properties: { type: { const: 'external' } } },
    then: ExternalBroker,
    else: { properties: { type: StringEnum(['embedded', 'external'] as const) } },
  },
});

/** Home Assistant MQTT discovery (docs/mqtt.md, "Home Assistant"): off unless asked for. */
const HomeAssistant = Type.Object(
  {
    enabled: Type.Boolean({ default: false }),
    /** Home Assistant's discovery prefix (its MQTT integration's setting; `homeassistant` unless changed there). */
    prefix: Type.String({ pattern: '^[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*$', default: 'homeassistant' }),
  },
  { additionalProperties: false, default: {} },
);

export const MqttConfigSchema = Type.Object(
  {
    broker: Broker,
    topicPrefix: Type.Optional(Type.String({ pattern: '^[^#+]+$' })),
    clientId: Type.Optional(Type.String()),
    healthIntervalS: Type.Integer({ minimum: 1, maximum: 3600, default: 30 }),
    statsIntervalS: Type.Integer({ minimum: 10, maximum: 86_400, default: 300 }),
    /** How often the signed chain head goes out on the retained `…/checkpoint` (docs/district.md). */
    checkpointEveryS: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
    outbox: Outbox,
    uplink: Type.Optional(Uplink),
    homeAssistant: HomeAssistant,
  },
  { additionalProperties: false },
);

export type MqttConfig = Static<typeof MqttConfigSchema>;
export type EmbeddedBrokerConfig = Static<typeof EmbeddedBroker>;
export type ExternalBrokerConfig = Static<typeof ExternalBroker>;
export type UplinkConfig = Static<typeof Uplink>;
export type HomeAssistantConfig = Static<typeof HomeAssistant>;

/** What the MQTT side reads of the secrets file: the generated passwords, by user (the gateway's own among them). */
export interface BrokerPasswords {
  readonly mqttPasswords: Readonly<Record<string, string>>;
}
