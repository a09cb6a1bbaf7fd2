import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/** scrypt (RFC 7914) password hashes: `scrypt$<salt base64url>$<key base64url>`. */
const KEY_LENGTH = 32;

export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('base64url')}$${scryptSync(password, salt, KEY_LENGTH).toString('base64url')}`;
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
