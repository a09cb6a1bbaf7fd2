import type { HealthPass } from './credential.js';
import type { Decision, Verdict } from './decision.js';
import { estateFindings } from './estate-rules.js';
import { feverHoldFindings } from './fever-hold.js';
import type { Finding, PassageFacts } from './passage-facts.js';
import type { ReasonCode } from './reasons.js';

/**
 * The gate policy: a pure function from facts to a decision. Every check that
 * applies contributes a finding, so a red code with a fever carries both reasons
 * (and raises both alerts). The verdict is the strictest finding: a definite
 * `deny` beats `refer`, and `refer` beats `grant`; nothing missing or stale
 * ever grants by itself (docs/design.md, "Fail secure").
 *
 * Whatever the person shows, the same person-level checks run: a card, a
 * visitor pass or a plate only says who it is; the health pass says whether
 * they may pass (estate plan, rule 1: 对进出人员进行体温测量，检查八闽健康码).
 */

const SEVERITY: Record<Verdict, number> = { grant: 0, refer: 1, deny: 2 };

/** Grant-level reasons kept on a refusal too: a fever, a contact or a breach must never drop out of the record. */
const FLAGS: readonly ReasonCode[] = [
  'FEVER_SOFT',
  'FEVER_REMEASURED_NORMAL',
  'GENERAL_CONTACT',
  'ANTI_PASSBACK',
  'DRILL_NOT_ENFORCED',
  'LOCKDOWN_NO_ENTRY',
  'EXIT_PASS_REQUIRED',
];

export function decide(facts: PassageFacts, policyVersion: string): Decision {
  if (facts.mode === 'emergency-open') {
    return { verdict: 'grant', reasons: ['EMERGENCY_OPEN'], rule: 'emergency-open', policyVersion };
  }
  // The fever hold first: the first of the strictest findings names the rule, so a held refusal always says
  // fever-hold, and its FEVER is never taken for a fever confirmed at this attempt (no second suspected case).
  const findings = [...feverHoldFindings(facts), ...deviceFindings(facts), ...credentialFindings(facts), ...estateFindings(facts), ...temperatureFindings(facts)];
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
  return [...plateRequired(facts), ...shownFindings(facts)];
}

function shownFindings(facts: PassageFacts): Finding[] {
  const { credential } = facts;
  switch (credential.kind) {
    case 'unreadable':
      return credential.problems.map((reason) => ({ verdict: 'deny', reason, rule: 'credential-unreadable' }));
    case 'card':
      return identified(credential.problems, 'CARD_VALID', 'card-roster', facts);
    case 'visitor-pass':
      return identified(credential.problems, 'VISITOR_PASS_VALID', 'visitor-pass', facts);
    case 'plate':
      return identified(credential.problems, credential.vehicle ? 'VEHICLE_RESIDENT' : 'VEHICLE_VISITOR', 'vehicle', facts);
    case 'health-pass':
      return healthPassFindings(credential, facts);
  }
}

/** A card, visitor pass or plate: valid, it identifies; the health code is still judged on the pass that came with it. */
function identified(problems: readonly ReasonCode[], valid: ReasonCode, rule: string, facts: PassageFacts): Finding[] {
  if (problems.length > 0) return problems.map((reason) => ({ verdict: 'deny', reason, rule }));
  const code = pairedCodeFindings(facts);
  // A grant the relaxing policy allowed names that policy as its rule: it, not the card, let the person in.
  const byPolicy = code.some((finding) => finding.reason === 'CARD_ALONE_POLICY');
  return byPolicy ? [...code, { verdict: 'grant', reason: valid, rule }] : [{ verdict: 'grant', reason: valid, rule }, ...code];
}

function pairedCodeFindings(facts: PassageFacts): Finding[] {
  const { credential, code } = facts;
  if (!code) return codeAbsentFindings(facts);
  // A card or visitor pass names its holder: a pass of somebody else (a borrowed phone) does not vouch for them.
  // A plate names a vehicle, and anyone in it may show their own code.
  const mismatch = credential.kind !== 'plate' && credential.kind !== 'unreadable' && credential.subject.id !== code.subject.id;
  return [...(mismatch ? [{ verdict: 'deny' as const, reason: 'CODE_MISMATCH' as const, rule: 'credential-binding' }] : []), ...healthPassFindings(code, facts)];
}

/** No health pass: only the relaxing policy, if the estate turned it on, lets a roster card in alone, and never in lockdown. */
function codeAbsentFindings({ credential, cardAloneEntry, mode }: PassageFacts): Finding[] {
  if (credential.kind === 'card' && cardAloneEntry && mode === 'normal') return [{ verdict: 'grant', reason: 'CARD_ALONE_POLICY', rule: 'card-alone-entry' }];
  return [{ verdict: 'refer', reason: 'HEALTH_CODE_REQUIRED', rule: 'health-code-required' }];
}

/** On a vehicle lane the plate says which vehicle the barrier lets in: a card or a code without one does not. */
function plateRequired({ laneKind, credential }: PassageFacts): Finding[] {
  return laneKind === 'vehicle' && credential.kind !== 'plate' && credential.kind !== 'unreadable' ? [{ verdict: 'refer', reason: 'PLATE_REQUIRED', rule: 'vehicle' }] : [];
}

function healthPassFindings(pass: HealthPass, facts: PassageFacts): Finding[] {
  // A stale trust list may lack a newly added issuer, so an unknown issuer goes to the guard; but a red code,
  // a forged signature or an expired pass is refused on any list, old or new.
  const findings: Finding[] = pass.problems.map((reason) => ({
    verdict: facts.trustStale && reason === 'CODE_UNKNOWN_ISSUER' ? 'refer' : 'deny',
    reason,
    rule: 'health-pass-validity',
  }));
  if (facts.replayed) findings.push({ verdict: 'deny', reason: 'CODE_REPLAYED', rule: 'health-pass-replay' });
  if (pass.colour === 'red') findings.push({ verdict: 'deny', reason: 'CODE_RED', rule: 'health-code-colour' });
  if (pass.colour === 'yellow') findings.push({ verdict: 'deny', reason: 'CODE_YELLOW', rule: 'health-code-colour' });
  // Estate plan, rule 3: a positive test is a suspected case, whatever colour the code still shows.
  if (pass.test?.result === 'positive') findings.push({ verdict: 'deny', reason: 'TEST_POSITIVE', rule: 'positive-test' });
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
    case 'interrupted':
      return [{ verdict: 'refer', reason: 'SCREENING_INTERRUPTED', rule: 'temperature-screening' }];
    case 'implausible':
      return [{ verdict: 'refer', reason: 'TEMP_IMPLAUSIBLE', rule: 'temperature-screening' }];
    case 'unconfirmed-fever':
      return [{ verdict: 'refer', reason: 'FEVER_UNCONFIRMED', rule: 'temperature-screening' }];
    case 'fever':
      return facts.enforcement === 'hard'
        ? [{ verdict: 'deny', reason: 'FEVER', rule: 'temperature-screening' }]
        : [{ verdict: 'grant', reason: 'FEVER_SOFT', rule: 'temperature-screening-soft' }];
    case 'normal': {
      const normal: Finding = { verdict: 'grant', reason: 'TEMP_NORMAL', rule: 'temperature-screening' };
      return temperature.remeasuredFrom === undefined ? [normal] : [normal, { verdict: 'grant', reason: 'FEVER_REMEASURED_NORMAL', rule: 'temperature-screening' }];
    }
  }
}

