import type { Credential, HealthPass, Subject, SubjectRole } from './credential.js';
import type { Verdict } from './decision.js';
import type { EstateRules, RiskAreas, SubjectStatus } from './estate-facts.js';
import type { Mode } from './mode.js';
import type { ReasonCode } from './reasons.js';

/**
 * What the policy judges: the facts about one person at one lane at one
 * moment, gathered by the lane machine. The policy and the estate rules read
 * them; neither imports the other.
 */

export type Direction = 'in' | 'out';

export type Enforcement = 'hard' | 'soft';

/** What the lane knows about the temperature of the person at the gate. */
export type TemperatureFact =
  /** `remeasuredFrom`: a first reading at or above the threshold that a new sample did not confirm. */
  | { kind: 'normal'; celsius: number; remeasuredFrom?: number }
  | { kind: 'fever' | 'implausible'; celsius: number }
  /** A first fever reading that was never re-measured (timeout, thermometer lost). */
  | { kind: 'unconfirmed-fever'; celsius: number }
  | { kind: 'missing' }
  /** The next scan came before a reading: this attempt is recorded, not decided on a reading. */
  | { kind: 'interrupted' }
  | { kind: 'not-required' };

export interface PassageFacts {
  /** When the decision is taken (ms): validity windows and test ages are judged against it. */
  at: number;
  direction: Direction;
  mode: Mode;
  laneKind: 'pedestrian' | 'vehicle';
  /** What identified the person (a card, visitor pass or plate), or the health pass itself when shown alone. */
  credential: Credential;
  /** The health pass shown after the card, visitor pass or plate, within the pairing window. */
  code?: HealthPass;
  /** The estate lets a roster card in alone in normal mode (policy.cardAloneEntry, off by default). */
  cardAloneEntry: boolean;
  temperature: TemperatureFact;
  enforcement: Enforcement;
  trustStale: boolean;
  replayed: boolean;
  deviceFault: boolean;
  /** The lists and passes of the person (not of the vehicle). */
  status: SubjectStatus;
  risk: RiskAreas;
  rules: EstateRules;
}

export interface Finding {
  verdict: Verdict;
  reason: ReasonCode;
  rule: string;
}

/** The health pass the person showed, alone or after another credential. */
export function healthPassOf(facts: Pick<PassageFacts, 'credential' | 'code'>): HealthPass | undefined {
  return facts.credential.kind === 'health-pass' ? facts.credential : facts.code;
}

/**
 * The person behind the credentials, if any: a card or visitor pass names who stands at the gate (with somebody
 * else's pass too: their trail must show the attempt, found from outside); a health pass alone, or after a
 * plate, names its holder.
 */
export function personOf(facts: Pick<PassageFacts, 'credential' | 'code'>): Subject | undefined {
  const { credential } = facts;
  if (credential.kind === 'card' || credential.kind === 'visitor-pass') return credential.subject;
  return healthPassOf(facts)?.subject;
}

/** The person's role in the roster: their card's, or their pass's through the roster binding; none for outsiders. */
export function personRole(facts: Pick<PassageFacts, 'credential' | 'code'>): SubjectRole | undefined {
  const { credential } = facts;
  if (credential.kind === 'card') return credential.role;
  return healthPassOf(facts)?.role;
}

/** Who else a passage names: the plate shown as the credential, and the pass's subject when it is not the person (CODE_MISMATCH). */
export function otherSubjects(credential: Credential, pass: Credential | undefined, person: Subject | undefined): { vehicle?: Subject; codeSubject?: Subject } {
  return {
    ...(credential.kind === 'plate' ? { vehicle: credential.subject } : {}),
    ...(pass?.kind === 'health-pass' && person && pass.subject.id !== person.id ? { codeSubject: pass.subject } : {}),
  };
}
