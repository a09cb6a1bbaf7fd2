import type { Credential } from './credential.js';
import { isHealthPass, readHealthPass } from './health-pass.js';
import { lookupCard, type Roster } from './roster.js';
import type { TrustList } from './trust-list.js';

/** Card UIDs as scanners report them once the profile has stripped prefix and suffix. */
const CARD_UID = /^[0-9A-Fa-f]{8,20}$/;

export interface CredentialContext {
  trust: TrustList;
  roster: Roster;
  now: number;
}

/** Turns one scanned frame into a credential: a health pass, a roster card, or unreadable. */
export function readCredential(code: string, context: CredentialContext): Credential {
  const trimmed = code.trim();
  if (isHealthPass(trimmed)) return readHealthPass(trimmed, context.trust, context.now);
  if (CARD_UID.test(trimmed)) {
    const card = lookupCard(context.roster, trimmed);
    if (!card) return { kind: 'card', subject: { kind: 'card', id: trimmed.toUpperCase() }, problems: ['CARD_UNKNOWN'] };
    return {
      kind: 'card',
      subject: { kind: 'card', id: card.subject },
      role: card.role,
      ...(card.household ? { household: card.household } : {}),
      problems: [],
    };
  }
  return { kind: 'unreadable', problems: ['CODE_MALFORMED'] };
}
