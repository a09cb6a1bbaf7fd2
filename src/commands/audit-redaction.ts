import { createHash } from 'node:crypto';
import type { CommandReply } from './types.js';

/** Keyed hash of a subject id or card UID (the estate key), as the passages table stores it. */
export type SubjectHash = (kind: 'health-pass' | 'card', id: string) => string;

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * What the audit row keeps of a command body: everything but the person. A
 * subject id (visitor, exit pass, a list entry, a roster card) becomes its
 * keyed hash, the one `gatewarden trace --hash` and the passages table use
 * (docs/design.md, "Storage"; docs/operations.md promises hashes only).
 */
export function redactBody(name: string, body: unknown, hash: SubjectHash): unknown {
  if (!isObject(body)) return body;
  const subject = (entry: unknown) => (isObject(entry) && typeof entry.subject === 'string' ? { ...entry, subject: hash('health-pass', entry.subject) } : entry);
  switch (name) {
    case 'visitor':
    case 'exit-pass':
      return subject(body);
    case 'lists':
      return Array.isArray(body.entries) ? { ...body, entries: body.entries.map(subject) } : body;
    case 'roster':
      return Array.isArray(body.cards)
        ? { ...body, cards: body.cards.map((card) => (isObject(card) && typeof card.uid === 'string' ? { ...(subject(card) as Fields), uid: hash('card', card.uid) } : subject(card))) }
        : body;
    default:
      return body;
  }
}

/**
 * What is stored of a reply (the audit row, the idempotency table): no pass
 * text. A visitor's VP1 code opens the gate, so it goes to the requester only
 * and is kept as nothing more than its SHA-256.
 */
export function redactReply(reply: CommandReply): CommandReply {
  if (!isObject(reply.data) || typeof reply.data.code !== 'string') return reply;
  const { code, ...data } = reply.data;
  return { ...reply, data: { ...data, codeSha256: createHash('sha256').update(code).digest('base64url') } };
}

/** A payload that could not be read as a command: its size and digest, never its text (it may name a person). */
export function unreadablePayload(payload: Uint8Array): Fields {
  return { unreadable: true, bytes: payload.length, sha256: createHash('sha256').update(payload).digest('base64url') };
}
