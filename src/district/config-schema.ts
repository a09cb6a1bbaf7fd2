import { Type, type Static } from '@sinclair/typebox';
import { Id, StringEnum } from '../schema/types.js';

/**
 * The district receiver's configuration (`gatewarden district CONFIG`,
 * docs/district.md "The district receiver"): one schema gives the type, the
 * JSON Schema and the defaults, as src/config/schema.ts does for the gateway.
 */

const BrokerUrl = Type.String({ pattern: '^mqtts?://', description: 'mqtt://host:port or mqtts://host:port' });

const Broker = Type.Object(
  {
    /** One broker, or the nodes of a cluster, tried in turn with a growing jittered back-off. */
    url: Type.Union([BrokerUrl, Type.Array(BrokerUrl, { minItems: 1 })]),
    username: Type.String({ minLength: 1 }),
    /** The password is never in the file: read from this environment variable… */
    passwordEnv: Type.Optional(Type.String({ minLength: 1 })),
    /** …or from this file (its first line). */
    passwordFile: Type.Optional(Type.String({ minLength: 1 })),
    /** Fixed, so the broker keeps the persistent session; it starts with the user name (the embedded broker binds ids to users). */
    clientId: Type.Optional(Type.String({ minLength: 1, pattern: '^[^/#+]+$' })),
    /** 4 = MQTT 3.1.1 (aedes, nats-server), 5 = MQTT 5 (resend replies by response topic on Mosquitto). */
    protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], { default: 4 }),
    tls: Type.Optional(
      Type.Object(
        { caFile: Type.Optional(Type.String()), certFile: Type.Optional(Type.String()), keyFile: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const Estate = Type.Object(
  {
    id: Id,
    /** Default `gatewarden/<id>`; as `keys export-gateway` prints it. */
    topicPrefix: Type.Optional(Type.String({ minLength: 1, pattern: '^[^#+]+[^/#+]$' })),
    /** The registered gateway key (docs/district.md, "Registering a gateway"). */
    kid: Type.String({ minLength: 1 }),
    publicKey: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'raw 32-byte Ed25519 public key, base64url' }),
  },
  { additionalProperties: false },
);

const Verify = Type.Object(
  {
    /** 迟报: a report that arrives more than this long after its event time is flagged late. */
    lateAfterS: Type.Number({ exclusiveMinimum: 0, default: 60 }),
    /** An estate with nothing signed (checkpoint, gap record, verified report) within this many minutes is flagged silent. */
    silentAfterMin: Type.Number({ exclusiveMinimum: 0, default: 5 }),
    /** Alerts of the last this many hours are listed as open. */
    openAlertsH: Type.Number({ exclusiveMinimum: 0, default: 24 }),
    /** Reports held beyond a hole, per estate; more are dropped (and asked for again once the hole is filled). */
    maxPending: Type.Integer({ minimum: 100, default: 20_000 }),
  },
  { additionalProperties: false },
);

const Resend = Type.Object(
  {
    /** How long a hole may stay open before it is asked for: reports overtake each other after a reconnect. */
    waitS: Type.Number({ minimum: 0, default: 5 }),
    /** How long to wait for the reports (or a gap record) before asking again. */
    timeoutS: Type.Number({ exclusiveMinimum: 0, default: 30 }),
    maxAttempts: Type.Integer({ minimum: 1, default: 5 }),
    /** The gateway answers at most 10,000 per command (docs/district.md, "Backfill"). */
    maxPerRequest: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000 }),
    /** Requests per minute over all estates: a district-wide outage must not flood the cluster with resends. */
    perMinute: Type.Integer({ minimum: 1, default: 60 }),
  },
  { additionalProperties: false },
);

const Storage = Type.Object(
  {
    type: StringEnum(['sqlite', 'postgres'] as const, { default: 'sqlite' }),
    /** sqlite: the database file. */
    path: Type.Optional(Type.String({ minLength: 1 })),
    /** postgres: the connection URL from this environment variable (it may hold a password)… */
    urlEnv: Type.Optional(Type.String({ minLength: 1 })),
    /** …or in the file, without a password (peer or .pgpass authentication). */
    url: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  },
  { additionalProperties: false },
);

const Http = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    host: Type.String({ default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8090 }),
    /** When set, every route but /healthz needs `Authorization: Bearer <token>` (environment variable name). */
    tokenEnv: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export const DistrictConfigSchema = Type.Object(
  {
    district: Type.Object({ id: Id, name: Type.Optional(Type.String()) }, { additionalProperties: false }),
    broker: Broker,
    /** The district's command key (`gatewarden keys generate --kid …`), registered on each gateway with role district. */
    signingKey: Type.Object({ file: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    estates: Type.Array(Estate, { minItems: 1 }),
    verify: Type.Object(Verify.properties, { additionalProperties: false, default: {} }),
    resend: Type.Object(Resend.properties, { additionalProperties: false, default: {} }),
    storage: Type.Object(Storage.properties, { additionalProperties: false, default: {} }),
    http: Type.Object(Http.properties, { additionalProperties: false, default: {} }),
    log: Type.Object({ level: StringEnum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, { default: 'info' }) }, { additionalProperties: false, default: {} }),
  },
  { additionalProperties: false },
);

export type DistrictConfig = Static<typeof DistrictConfigSchema>;
export type EstateConfig = Static<typeof Estate>;
