import { Type, type Static } from '@sinclair/typebox';
import { API_ROLES } from '../core/roles.js';
import { StringEnum } from '../schema/types.js';

/**
 * Config of the HTTP side (`http:`): the guard-room page and the API.
 * Tokens never appear in plain text: each entry carries the SHA-256 of a
 * random 256-bit token (`gatewarden` generates them). A slow hash such as
 * scrypt protects guessable passwords; a random token of this length cannot
 * be guessed, and a fast hash keeps every request cheap.
 */

export const ApiTokenSchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'who holds the token; recorded as the principal in the audit trail' }),
    role: StringEnum(API_ROLES),
    hash: Type.String({ pattern: '^sha256\\$[A-Za-z0-9_-]{43}$', description: 'sha256$<base64url digest of the token>' }),
  },
  { additionalProperties: false },
);

const RateLimit = Type.Object(
  {
    /** Requests per window for one token (or one address before login). */
    max: Type.Integer({ minimum: 1, maximum: 100_000, default: 600 }),
    windowMs: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 60_000 }),
  },
  { additionalProperties: false, default: {} },
);

/**
 * The HTTPS listener for a tablet on the LAN (docs/operations.md, "Exposing
 * the page on the LAN"). Without `certFile`/`keyFile`, a self-signed
 * certificate is made on first run beside the secrets file and its SHA-256
 * fingerprint logged, for the guard to check on the tablet.
 */
const Tls = Type.Object(
  {
    enabled: Type.Boolean({ default: false }),
    host: Type.String({ default: '127.0.0.1', description: 'address of the HTTPS listener; 0.0.0.0 (or the LAN address) to serve tablets' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8443 }),
    certFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM certificate (chain); with keyFile' })),
    keyFile: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key; with certFile' })),
    /** DNS names or IP addresses a generated certificate names besides this host's own. */
    altNames: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { default: [], maxItems: 32 }),
  },
  { additionalProperties: false, default: {} },
);

export const HttpConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: true }),
    /** Plain HTTP listener; with `tls.enabled` it must stay on a loopback address (tokens would cross the LAN in clear). */
    host: Type.String({ default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    /** false: no plain HTTP listener at all (HTTPS only). */
    plain: Type.Boolean({ default: true }),
    tls: Tls,
    /** API tokens; the generated secrets file adds one per role on a demo's first run. */
    tokens: Type.Array(ApiTokenSchema, { default: [] }),
    rateLimit: RateLimit,
  },
  { additionalProperties: false, default: {} },
);

export type HttpConfig = Static<typeof HttpConfigSchema>;
export type ApiTokenConfig = Static<typeof ApiTokenSchema>;
