import { Type, type Static } from '@sinclair/typebox';
import { SIGNING_KEY_ROLES } from '../core/roles.js';
import { StringEnum } from '../schema/types.js';

/** Config of the command path (`commands:`), shared by MQTT and HTTP commands. */

const ManagerKey = Type.Object(
  {
    kid: Type.String({ minLength: 1, maxLength: 64 }),
    publicKey: Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'raw 32-byte Ed25519 public key, base64url' }),
    role: StringEnum(SIGNING_KEY_ROLES, { default: 'manager' }),
  },
  { additionalProperties: false },
);

export const CommandsConfigSchema = Type.Object(
  {
    /**
     * On by default: every MQTT command must carry `sig` by one of `keys` (docs/security.md, "Commands").
     * HTTP commands are authenticated by their API token instead. When false a signature is checked only when present.
     */
    requireSignature: Type.Boolean({ default: true }),
    keys: Type.Array(ManagerKey, { default: [] }),
    /** A command's `ts` (required when signed) may differ from the gateway clock by at most this much. */
    maxSkewS: Type.Integer({ minimum: 1, maximum: 86_400, default: 300 }),
    /** Payloads are bounded before they are parsed: size in bytes and nesting depth of objects and arrays. */
    maxPayloadBytes: Type.Integer({ minimum: 1024, maximum: 268_435_455, default: 8_388_608 }),
    maxDepth: Type.Integer({ minimum: 4, maximum: 256, default: 32 }),
  },
  { additionalProperties: false, default: {} },
);

export type CommandsConfig = Static<typeof CommandsConfigSchema>;
