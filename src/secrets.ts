import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { GatewardenError } from './errors.js';
import { API_ROLES } from './core/roles.js';
import { ApiTokenSchema } from './http/config-schema.js';
import { generateApiToken, hashApiToken } from './http/api-tokens.js';
import { makeValidator } from './schema/validate.js';
import { ensurePrivateDir, isPermissive, modeOf } from './store/file-modes.js';

/**
 * Secrets live apart from the config, in a file only the gateway's user can
 * read. Nothing has a default: a demo generates them on first run, a
 * production install creates them (`gatewarden keys`) or fails to start.
 */
const Ed25519Pair = Type.Object({
  kid: Type.String(),
  /** PKCS#8 DER, base64url. */
  privateKey: Type.String(),
  /** Raw 32-byte public key, base64url (the trust-list format). */
  publicKey: Type.String(),
});

const SecretsSchema = Type.Object({
  estateKey: Type.String({ minLength: 43, description: 'HMAC key for subject hashes, base64url' }),
  mqttPasswords: Type.Record(Type.String(), Type.String({ minLength: 16 })),
  demoIssuer: Type.Optional(Ed25519Pair),
  /** A manager's command-signing key made with generated secrets, so a demo's signed commands work (docs/security.md, "Commands"). */
  managerKey: Type.Optional(Ed25519Pair),
  /**
   * The gateway's own key: signs report checkpoints and gap records (docs/district.md). Made on the
   * first run; the district registers its public key (`gatewarden keys export-gateway`).
   */
  gatewayKey: Type.Optional(Ed25519Pair),
  /** Hashed API tokens generated on a demo's first run, one per role (the plain tokens are printed once). */
  apiTokens: Type.Optional(Type.Array(ApiTokenSchema)),
});

export type Secrets = Static<typeof SecretsSchema>;
export type KeyPair = Static<typeof Ed25519Pair>;

const validator = makeValidator(SecretsSchema);

/**
 * MQTT users generated for a demo: the gateway's own client, a read-only
 * observer for people watching, a manager for commands, and the approver (the
 * local epidemic-control group) for exit passes.
 */
const GENERATED_MQTT_USERS = ['gateway', 'observer', 'manager', 'approver'] as const;

export interface LoadedSecrets {
  secrets: Secrets;
  created: boolean;
  /** Plain API tokens made by this load (role → token); shown once, never stored. */
  issuedApiTokens?: Record<string, string>;
}

export function loadSecrets(path: string, generate: boolean, withDemoIssuer: boolean): LoadedSecrets {
  if (!existsSync(path)) {
    if (!generate) {
      throw new GatewardenError('GW_SECRETS_MISSING', `secrets file ${path} does not exist; create it with "gatewarden keys init ${path}" or set secrets.generate: true`);
    }
    const { apiTokens, issued } = generateApiTokens();
    const secrets = { ...generateSecrets(withDemoIssuer), apiTokens };
    writeSecrets(path, secrets);
    return { secrets, created: true, issuedApiTokens: issued };
  }
  assertPrivateSecrets(path);
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new GatewardenError('GW_SECRETS_MISSING', `secrets file ${path} cannot be read: ${(error as Error).message}`);
  }
  const errors = validator.check(value);
  if (errors.length > 0) throw new GatewardenError('GW_CONFIG_INVALID', `secrets file ${path} is invalid`, errors);
  const secrets = value as Secrets;
  if (!generate) return secrets.gatewayKey ? { secrets, created: false } : { secrets: withGatewayKey(path, secrets), created: false };
  // A file from an older version gains what was added since (the approver's password and token), never a default.
  const addIssuer = withDemoIssuer && !secrets.demoIssuer;
  const users = GENERATED_MQTT_USERS.filter((user) => secrets.mqttPasswords[user] === undefined);
  const roles = API_ROLES.filter((role) => !secrets.apiTokens?.some((token) => token.role === role));
  if (!addIssuer && users.length === 0 && roles.length === 0 && secrets.managerKey && secrets.gatewayKey) return { secrets, created: false };
  const tokens = roles.length > 0 ? generateApiTokens(roles) : undefined;
  const upgraded: Secrets = {
    ...secrets,
    mqttPasswords: { ...secrets.mqttPasswords, ...generatePasswords(users) },
    ...(addIssuer ? { demoIssuer: generateEd25519('demo-issuer') } : {}),
    ...(secrets.managerKey ? {} : { managerKey: generateEd25519(DEMO_MANAGER_KID) }),
    ...(secrets.gatewayKey ? {} : { gatewayKey: generateGatewayKey() }),
    ...(tokens ? { apiTokens: [...(secrets.apiTokens ?? []), ...tokens.apiTokens] } : {}),
  };
  writeSecrets(path, upgraded);
  return { secrets: upgraded, created: false, ...(tokens ? { issuedApiTokens: tokens.issued } : {}) };
}

/** One token per API role, named `demo-<role>`. */
function generateApiTokens(roles: readonly (typeof API_ROLES)[number][] = API_ROLES): { apiTokens: NonNullable<Secrets['apiTokens']>; issued: Record<string, string> } {
  const plain = roles.map((role) => ({ role, token: generateApiToken() }));
  return {
    apiTokens: plain.map(({ role, token }) => ({ name: `demo-${role}`, role, hash: hashApiToken(token) })),
    issued: Object.fromEntries(plain.map(({ role, token }) => [role, token])),
  };
}

export function generateSecrets(withDemoIssuer: boolean): Secrets {
  return {
    estateKey: randomBytes(32).toString('base64url'),
    mqttPasswords: generatePasswords(GENERATED_MQTT_USERS),
    ...(withDemoIssuer ? { demoIssuer: generateEd25519('demo-issuer') } : {}),
    managerKey: generateEd25519(DEMO_MANAGER_KID),
    gatewayKey: generateGatewayKey(),
  };
}

/**
 * The gateway key is made on the first run even where secrets are not generated: it is the gateway's
 * identity, not a shared secret. A read-only secrets mount cannot take it: the gateway then runs without
 * checkpoints (`keys export-gateway` says so) rather than not at all.
 */
function withGatewayKey(path: string, secrets: Secrets): Secrets {
  const upgraded = { ...secrets, gatewayKey: generateGatewayKey() };
  try {
    writeSecrets(path, upgraded);
  } catch {
    return secrets;
  }
  return upgraded;
}

function generateGatewayKey(): KeyPair {
  return generateEd25519(`gateway-${randomBytes(4).toString('hex')}`);
}

/** The kid of the generated manager key; the gateway trusts it as a manager key (commands.keys). */
const DEMO_MANAGER_KID = 'demo-manager';

function generatePasswords(users: readonly string[]): Record<string, string> {
  return Object.fromEntries(users.map((user) => [user, randomBytes(18).toString('base64url')]));
}

export function generateEd25519(kid: string): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    kid,
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url'),
    publicKey: String(jwk.x),
  };
}

/**
 * Set to 1 to run with a secrets file that group or others can read, as a
 * read-only secret volume may be mounted (0644 or 0444); the start logs a
 * warning each time. Without it such a file is refused (docs/operations.md, "Data at rest").
 */
export const ALLOW_PERMISSIVE_SECRETS_ENV = 'GATEWARDEN_ALLOW_PERMISSIVE_SECRETS';

/** The secrets file's mode (`0644`) when group or others have any access to it; undefined when it is private or missing. */
export function permissiveSecretsMode(path: string): string | undefined {
  return existsSync(path) && isPermissive(statSync(path).mode) ? modeOf(path) : undefined;
}

/**
 * A secrets file others can read is refused before it is read (issue 12;
 * ETSI EN 303 645 provision 5.4-1): its keys may already be known, so the
 * operator decides, by `chmod 600` (and rotating what may have leaked) or by
 * the override above. It is not silently tightened.
 */
function assertPrivateSecrets(path: string): void {
  const mode = permissiveSecretsMode(path);
  if (mode === undefined) return;
  // The override is for read-only mounts; a file others can write is never accepted (found from outside: a 0666 file
  // passed, and whoever could write it could swap the manager key and the tokens).
  if ((statSync(path).mode & 0o022) !== 0) {
    throw new GatewardenError('GW_SECRETS_PERMISSIVE', `secrets file ${path} has mode ${mode}: group or others can write it`, [`run "chmod 600 ${path}" as the gateway's user and rotate its secrets`]);
  }
  if (process.env[ALLOW_PERMISSIVE_SECRETS_ENV] === '1') return;
  throw new GatewardenError('GW_SECRETS_PERMISSIVE', `secrets file ${path} has mode ${mode}: group or others can read it`, [
    `run "chmod 600 ${path}" as the gateway's user, and rotate its secrets if anyone else may have read them`,
    `or set ${ALLOW_PERMISSIVE_SECRETS_ENV}=1 to accept it (a read-only secret mount)`,
  ]);
}

function writeSecrets(path: string, secrets: Secrets): void {
  ensurePrivateDir(dirname(path));
  writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
}
