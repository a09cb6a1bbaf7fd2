import type { Credential, VisitorDetails } from './credential.js';
import { isHealthPass, readHealthPass } from './health-pass.js';
import type { LaneSetup } from './lane-types.js';
import { isPassValid, normalisePlate, type Registry, type VisitorPassRecord } from './registry.js';
import { cardForSubject, lookupCard, type Roster } from './roster.js';
import type { TrustList } from './trust-list.js';
import { isVisitorPass, verifyVisitorPass } from './visitor-pass.js';

/** Card UIDs as scanners report them once the profile has stripped prefix and suffix. */
const CARD_UID = /^[0-9A-Fa-f]{8,20}$/;
/** What a plate reader sends: letters (CJK province included) and digits, 5 to 10 once normalised. */
const PLATE = /^[\p{L}\p{N}]{5,10}$/u;

export interface CredentialContext {
  trust: TrustList;
  roster: Roster;
  registry: Registry;
  now: number;
}

/**
 * Turns one scanned frame into a credential: a health pass, a visitor pass, a
 * roster card, or on a vehicle lane a plate; anything else is unreadable.
 */
export function readCredential(code: string, context: CredentialContext, laneKind: LaneSetup['kind'] = 'pedestrian'): Credential {
  const trimmed = code.trim();
  if (isHealthPass(trimmed)) return withRosterRole(readHealthPass(trimmed, context.trust, context.now), context.roster);
  if (isVisitorPass(trimmed)) return readVisitor(trimmed, context);
  if (laneKind === 'vehicle' && !CARD_UID.test(trimmed) && PLATE.test(normalisePlate(trimmed))) return readPlate(normalisePlate(trimmed), context);
  if (CARD_UID.test(trimmed)) {
    const card = lookupCard(context.roster, trimmed);
    if (!card) return { kind: 'card', subject: { kind: 'card', id: trimmed.toUpperCase() }, problems: ['CARD_UNKNOWN'] };
    return {
      kind: 'card',
      // The holder's health-code subject: a person's card and pass passages share one subject (one trail).
      subject: { kind: 'health-pass', id: card.subject },
      role: card.role,
      ...(card.household ? { household: card.household } : {}),
      problems: [],
    };
  }
  return { kind: 'unreadable', problems: ['CODE_MALFORMED'] };
}

/** A resident showing their health pass is still a resident: the roster card's subject names the pass subject. */
function withRosterRole(credential: Credential, roster: Roster): Credential {
  if (credential.kind !== 'health-pass') return credential;
  const card = cardForSubject(roster, credential.subject.id);
  return card ? { ...credential, role: card.role, ...(card.household ? { household: card.household } : {}) } : credential;
}

function readVisitor(code: string, context: CredentialContext): Credential {
  const token = verifyVisitorPass(code, context.registry.visitorKey);
  if (!token) return { kind: 'unreadable', problems: ['VISITOR_PASS_INVALID'] };
  const pass = context.registry.visitorPass(token.passId);
  const subject = { kind: 'health-pass' as const, id: token.subject };
  if (!pass || pass.revoked) return { kind: 'visitor-pass', subject, visitor: { passId: token.passId, hostHousehold: pass?.hostHousehold ?? '' }, problems: ['VISITOR_PASS_INVALID'] };
  return { kind: 'visitor-pass', subject, visitor: visitorDetails(pass), problems: isPassValid(pass, context.now) ? [] : ['VISITOR_PASS_EXPIRED'] };
}

function readPlate(plate: string, context: CredentialContext): Credential {
  const subject = { kind: 'plate' as const, id: plate };
  const vehicle = context.registry.vehicle(plate);
  if (vehicle) return { kind: 'plate', subject, vehicle: { role: vehicle.role, ...(vehicle.household ? { household: vehicle.household } : {}) }, problems: [] };
  const pass = context.registry.visitorPassForPlate(plate, context.now);
  if (pass) return { kind: 'plate', subject, visitor: visitorDetails(pass), problems: [] };
  return { kind: 'plate', subject, problems: ['PLATE_UNKNOWN'] };
}

function visitorDetails(pass: VisitorPassRecord): VisitorDetails {
  return {
    passId: pass.passId,
    hostHousehold: pass.hostHousehold,
    ...(pass.plate ? { plate: pass.plate } : {}),
    ...(pass.origin ? { origin: pass.origin } : {}),
    ...(pass.test ? { test: pass.test } : {}),
  };
}
