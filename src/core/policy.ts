import type { Credential } from './credential.js';
import type { Decision, Verdict } from './decision.js';
import type { EstateRules, RiskAreas, SubjectStatus } from './estate-facts.js';
import { estateFindings } from './estate-rules.js';
import type { Mode } from './mode.js';
import type { ReasonCode } from './reasons.js';

/**
 * The gate policy: a pure function from facts to a decision. Every check that
 * applies contributes a finding, so a red code with a fever carries both reasons
 * (and raises both alerts). The verdict is the strictest finding: a definite
 * `deny` beats `refer`, and `refer` beats `grant`; nothing missing or stale
 * ever grants by itself (DESIGN.md, "Fail secure").
 */

export type Direction = 'in' | 'out';

/** What the lane knows about the temperature of the person at the gate. */
export type TemperatureFact =
  | { kind: 'normal' | 'fever' | 'implausible'; celsius: number }
  /** A first fever reading that was never re-measured (timeout, thermometer lost). */
  | { kind: 'unconfirmed-fever'; celsius: number }
  | { kind: 'missing' }
  | { kind: 'not-required' };

export type Enforcement = 'hard' | 'soft';

export interface PassageFacts {
  /** When the decision is taken (ms): validity windows and test ages are judged against it. */
  at: number;
  direction: Direction;
  mode: Mode;
  credential: Credential;
  temperature: TemperatureFact;
  enforcement: Enforcement;
  trustStale: boolean;
  replayed: boolean;
  deviceFault: boolean;
  status: SubjectStatus;
  risk: RiskAreas;
  rules: EstateRules;
}

export interface Finding {
  verdict: Verdict;
  reason: ReasonCode;
  rule: string;
}

const SEVERITY: Record<Verdict, number> = { grant: 0, refer: 1, deny: 2 };

/** Grant-level reasons kept on a refusal too: a fever, a contact or a breach must never drop out of the record. */
const FLAGS: readonly ReasonCode[] = ['FEVER_SOFT', 'GENERAL_CONTACT', 'ANTI_PASSBACK', 'DRILL_NOT_ENFORCED', 'LOCKDOWN_NO_ENTRY', 'EXIT_PASS_REQUIRED'];

export function decide(facts: PassageFacts, policyVersion: string): Decision {
  if (facts.mode === 'emergency-open') {
    return { verdict: 'grant', reasons: ['EMERGENCY_OPEN'], rule: 'emergency-open', policyVersion };
  }
  const findings = [...deviceFindings(facts), ...credentialFindings(facts), ...estateFindings(facts), ...temperatureFindings(facts)];
  const worst = findings.reduce<Finding | undefined>(
    (current, finding) => (!current || SEVERITY[finding.verdict] > SEVERITY[current.verdict] ? finding : current),
    undefined,
  );
  /* c8 ignore next -- credentialFindings always yields a finding */
  if (!worst) throw new Error('policy produced no finding');
  const relevant = worst.verdict === 'grant' ? findings : findings.filter((f) => f.verdict !== 'grant' || FLAGS.includes(f.reason));
  return {
    verdict: worst.verdict,
    reasons: [...new Set(relevant.map((f) => f.reason))],
    rule: worst.rule,
    policyVersion,
  };
}

function deviceFindings(facts: PassageFacts): Finding[] {
  return facts.deviceFault ? [{ verdict: 'refer', reason: 'DEVICE_FAULT', rule: 'device-fault' }] : [];
}

function credentialFindings(facts: PassageFacts): Finding[] {
  const { credential } = facts;
  if (credential.kind === 'unreadable') {
    return credential.problems.map((reason) => ({ verdict: 'deny', reason, rule: 'credential-unreadable' }));
  }
  if (credential.kind === 'card') return validOr(credential.problems, 'CARD_VALID', 'card-roster');
  if (credential.kind === 'visitor-pass') return validOr(credential.problems, 'VISITOR_PASS_VALID', 'visitor-pass');
  if (credential.kind === 'plate') return validOr(credential.problems, credential.vehicle ? 'VEHICLE_RESIDENT' : 'VEHICLE_VISITOR', 'vehicle');
  return healthPassFindings(credential, facts);
}

function validOr(problems: readonly ReasonCode[], valid: ReasonCode, rule: string): Finding[] {
  return problems.length > 0 ? problems.map((reason) => ({ verdict: 'deny', reason, rule })) : [{ verdict: 'grant', reason: valid, rule }];
}

function healthPassFindings(credential: Extract<Credential, { kind: 'health-pass' }>, facts: PassageFacts): Finding[] {
  // A stale trust list may lack a newly added issuer, so an unknown issuer goes to the guard; but a red code,
  // a forged signature or an expired pass is refused on any list, old or new.
  const findings: Finding[] = credential.problems.map((reason) => ({
    verdict: facts.trustStale && reason === 'CODE_UNKNOWN_ISSUER' ? 'refer' : 'deny',
    reason,
    rule: 'health-pass-validity',
  }));
  if (facts.replayed) findings.push({ verdict: 'deny', reason: 'CODE_REPLAYED', rule: 'health-pass-replay' });
  if (credential.colour === 'red') findings.push({ verdict: 'deny', reason: 'CODE_RED', rule: 'health-code-colour' });
  if (credential.colour === 'yellow') findings.push({ verdict: 'deny', reason: 'CODE_YELLOW', rule: 'health-code-colour' });
  if (facts.trustStale) findings.push({ verdict: 'refer', reason: 'TRUST_STALE', rule: 'trust-stale' });
  if (findings.length === 0) findings.push({ verdict: 'grant', reason: 'CODE_GREEN', rule: 'health-code-colour' });
  return findings;
}

function temperatureFindings(facts: PassageFacts): Finding[] {
  const { temperature } = facts;
  switch (temperature.kind) {
    case 'not-required':
      return [];
    case 'missing':
      return [{ verdict: 'refer', reason: 'NO_TEMPERATURE', rule: 'temperature-screening' }];
    case 'implausible':
      return [{ verdict: 'refer', reason: 'TEMP_IMPLAUSIBLE', rule: 'temperature-screening' }];
    case 'unconfirmed-fever':
      return [{ verdict: 'refer', reason: 'FEVER_UNCONFIRMED', rule: 'temperature-screening' }];
    case 'fever':
      return facts.enforcement === 'hard'
        ? [{ verdict: 'deny', reason: 'FEVER', rule: 'temperature-screening' }]
        : [{ verdict: 'grant', reason: 'FEVER_SOFT', rule: 'temperature-screening-soft' }];
    case 'normal':
      return [{ verdict: 'grant', reason: 'TEMP_NORMAL', rule: 'temperature-screening' }];
  }
}
