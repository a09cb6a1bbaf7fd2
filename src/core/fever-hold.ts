import type { Subject } from './credential.js';
import type { Decision } from './decision.js';
import type { PassageRecord } from './lane-types.js';
import type { ReasonCode } from './reasons.js';
import { temperatureRequired } from './lane-readings.js';
import type { Finding, PassageFacts } from './passage-facts.js';

/**
 * The fever hold (docs/rules.md, "A confirmed fever holds the person out"): a person refused with a confirmed
 * fever is refused FEVER again, at every lane, for `rules.feverHoldMs` after it. A later normal reading never
 * clears a confirmed fever, and a rescan is only a later reading (found beside the outside tester's rescan
 * finding: denied FEVER, the same pass again 0.6 s later on a cooled forehead, 36.3 °C, granted).
 */

/** The rule a decision names when the hold refused it: its FEVER is an earlier attempt's confirmed fever. */
export const FEVER_HOLD_RULE = 'fever-hold';

/** The hold stands in for the temperature check: it applies where a temperature is taken (in, and out in lockdown). */
export function feverHoldFindings(facts: PassageFacts): Finding[] {
  const { status, rules, at } = facts;
  if (status.feverDeniedAt === undefined || !temperatureRequired(facts.direction, facts)) return [];
  return at - status.feverDeniedAt < rules.feverHoldMs ? [{ verdict: 'deny', reason: 'FEVER', rule: FEVER_HOLD_RULE }] : [];
}

/** A refusal for a fever confirmed at this attempt: it starts a hold (a refusal by the hold does not prolong it). */
export function startsFeverHold(decision: Decision): boolean {
  return decision.verdict === 'deny' && decision.reasons.includes('FEVER') && decision.rule !== FEVER_HOLD_RULE;
}

/** A first fever that no second sample confirmed or cleared: the person's next attempt starts from it. */
export function leavesFeverUnconfirmed(decision: Decision): boolean {
  return decision.reasons.includes('FEVER_UNCONFIRMED');
}

/**
 * Whom a passage's fever concerns. A pass whose signature did not verify names whoever its maker chose, so its
 * subject is held only when a roster card named the person; a card shown with another person's verified pass
 * (CODE_MISMATCH) holds both, since either may be the one at the gate (found from outside: a forged pass put a
 * 30-minute hold on a resident, and a borrowed card put it on the card's owner while the pass's subject walked in).
 */
export function feverSubjects(passage: PassageRecord): Subject[] {
  const verified = !passage.decision.reasons.some((reason) => UNVERIFIED_PASS.includes(reason));
  const subjects: Subject[] = [];
  if (passage.subject && passage.subject.kind !== 'plate' && (passage.credential !== 'health-pass' || verified)) subjects.push(passage.subject);
  if (passage.codeSubject && verified) subjects.push(passage.codeSubject);
  return subjects;
}

const UNVERIFIED_PASS: readonly ReasonCode[] = ['CODE_BAD_SIGNATURE', 'CODE_UNKNOWN_ISSUER', 'CODE_MALFORMED'];
