import type { Subject } from '../core/credential.js';
import { normalisePlate } from '../core/registry.js';
import type { RosterCard } from '../core/roster.js';
import type { Db } from './database.js';
import type { SubjectHasher } from './subject-hash.js';

/**
 * The subject hashes that name one person (or one vehicle) in the passages.
 * A person's passages carry the hash of their health-pass subject, whatever
 * they showed: a roster card names its holder's pass subject, and so does a
 * visitor pass. Two older forms remain findable: `card:<subject>` (a roster
 * card before the person model, left only if the card joined the roster after
 * the start-up re-key) and `card:<UID>` (the card while it was not enrolled).
 */
export function traceHashes(hash: SubjectHasher, cards: readonly RosterCard[], kind: Subject['kind'], id: string): string[] {
  if (kind === 'plate') return [hash({ kind: 'plate', id: normalisePlate(id) })];
  if (kind === 'health-pass') return personHashes(hash, cards, id);
  // As the lane reads it: an unknown card is stored under its trimmed, upper-case UID.
  // A card is also named by its roster subject, as `--kind card` took it before the person model.
  const uid = normaliseUid(id);
  const subjects = new Set(cards.filter((card) => normaliseUid(card.uid) === uid || card.subject === id.trim()).map((card) => card.subject));
  return unique([...[...subjects].flatMap((subject) => personHashes(hash, cards, subject)), hash({ kind: 'card', id: uid })]);
}

/** Every hash of the person whose health-pass subject is `subject`, the current one first. */
function personHashes(hash: SubjectHasher, cards: readonly RosterCard[], subject: string): string[] {
  const uids = cards.filter((card) => card.subject === subject).map((card) => normaliseUid(card.uid));
  return unique([hash({ kind: 'health-pass', id: subject }), hash({ kind: 'card', id: subject }), ...uids.map((uid) => hash({ kind: 'card', id: uid }))]);
}

/**
 * The roster cards a database may hold passages of: the config's and the last
 * `roster` command's (stored in `lists`). Old rows were written under either.
 */
export function knownRosterCards(db: Db, configCards: readonly RosterCard[]): RosterCard[] {
  const row = db.prepare("SELECT entries FROM lists WHERE name = 'roster'").get() as { entries: string } | undefined;
  const stored = row ? (JSON.parse(row.entries) as unknown) : [];
  const commanded = Array.isArray(stored) ? stored.filter((card): card is RosterCard => typeof card?.uid === 'string' && typeof card?.subject === 'string') : [];
  return [...configCards, ...commanded];
}

function normaliseUid(uid: string): string {
  return uid.trim().toUpperCase();
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
