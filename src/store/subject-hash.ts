import { createHmac, createSecretKey } from 'node:crypto';
import type { Subject } from '../core/credential.js';

/**
 * Subjects are stored as a keyed hash (HMAC-SHA-256 with the estate key), so
 * the database never holds raw health-pass subjects or card UIDs, yet trail and
 * contact queries can still find a person by computing the same hash.
 */
export type SubjectHasher = (subject: Subject) => string;

export function subjectHasher(estateKey: Buffer): SubjectHasher {
  // Imported once: an HMAC keyed with a Buffer imports the key each time, 16 µs where a key object takes 2, and a
  // passage hashes its subject five times (the replay window, the registry, the record; issue 14).
  const key = createSecretKey(estateKey);
  return (subject) => createHmac('sha256', key).update(`${subject.kind}:${subject.id}`).digest('base64url').slice(0, 22);
}
