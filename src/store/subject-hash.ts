import { createHmac } from 'node:crypto';
import type { Subject } from '../core/credential.js';

/**
 * Subjects are stored as a keyed hash (HMAC-SHA-256 with the estate key), so
 * the database never holds raw health-pass subjects or card UIDs, yet trail and
 * contact queries can still find a person by computing the same hash.
 */
export type SubjectHasher = (subject: Subject) => string;

export function subjectHasher(estateKey: Buffer): SubjectHasher {
  return (subject) => createHmac('sha256', estateKey).update(`${subject.kind}:${subject.id}`).digest('base64url').slice(0, 22);
}
