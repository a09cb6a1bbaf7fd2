import type { SubjectRole } from './credential.js';

/** One card in the estate roster. */
export interface RosterCard {
  uid: string;
  subject: string;
  role: SubjectRole;
  household?: string;
}

/** Cards by UID. UIDs are compared case-insensitively, as readers differ in hex case. */
export type Roster = ReadonlyMap<string, RosterCard>;

/** Cards by subject, built once per roster: a resident may show their health pass instead of the card. */
const bySubject = new WeakMap<Roster, ReadonlyMap<string, RosterCard>>();

export function buildRoster(cards: readonly RosterCard[]): Roster {
  return new Map(cards.map((card) => [normaliseUid(card.uid), card]));
}

export function lookupCard(roster: Roster, uid: string): RosterCard | undefined {
  return roster.get(normaliseUid(uid));
}

export function cardForSubject(roster: Roster, subject: string): RosterCard | undefined {
  let index = bySubject.get(roster);
  if (!index) {
    index = new Map([...roster.values()].map((card) => [card.subject, card]));
    bySubject.set(roster, index);
  }
  return index.get(subject);
}

function normaliseUid(uid: string): string {
  return uid.trim().toUpperCase();
}
