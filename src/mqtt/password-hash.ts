import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/** scrypt (RFC 7914) password hashes: `scrypt$<salt base64url>$<key base64url>`. */
const KEY_LENGTH = 32;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return formatHash(salt, scryptSync(password, salt, KEY_LENGTH));
}

/**
 * hashPassword on the thread pool. The gateway hashes every password of its
 * secrets file at each start; run one after the other on the event loop,
 * those scrypt runs were most of the start-up's CPU time (issue 14).
 */
export function hashPasswordAsync(password: string): Promise<string> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, (error, key) => (error ? reject(error) : resolve(formatHash(salt, key))));
  });
}

function formatHash(salt: Buffer, key: Buffer): string {
  return `scrypt$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export function verifyPassword(password: string, hash: string): Promise<boolean> {
  const [scheme, salt, key] = hash.split('$');
  if (scheme !== 'scrypt' || salt === undefined || key === undefined) return Promise.resolve(false);
  const expected = Buffer.from(key, 'base64url');
  return new Promise((resolve) => {
    scrypt(password, Buffer.from(salt, 'base64url'), expected.length, (error, derived) => {
      resolve(!error && derived.length === expected.length && timingSafeEqual(derived, expected));
    });
  });
}

/**
 * A hash of a random password nobody knows, made once per process. A login
 * naming an unknown user is checked against it, so it costs one scrypt run,
 * the same as a known user's, and its answer time does not tell which user
 * names exist (ETSI EN 303 645 provision 5.1-5; the issue measured 9 ms
 * against 75 ms).
 */
let dummyHash: string | undefined;

/** Verifies against `hash`, or against the dummy hash when there is none; false whenever `hash` is undefined. */
export async function verifyPasswordOrDummy(password: string, hash: string | undefined): Promise<boolean> {
  dummyHash ??= hashPassword(randomBytes(18).toString('base64url'));
  const ok = await verifyPassword(password, hash ?? dummyHash);
  return ok && hash !== undefined;
}
