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

export function buildRoster(cards: readonly RosterCard[]): Roster {
  return new Map(cards.map((card) => [normaliseUid(card.uid), card]));
}

export function lookupCard(roster: Roster, uid: string): RosterCard | undefined {
  return roster.get(normaliseUid(uid));
}

function normaliseUid(uid: string): string {
  return uid.trim().toUpperCase();
}
