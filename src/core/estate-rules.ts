import type { Credential, SubjectRole, TestResult } from './credential.js';
import type { Finding, PassageFacts } from './policy.js';

/**
 * The estate plan's rules beyond code and temperature (DESIGN.md, "What the
 * estate plan asks of a gate"): health lists (rule 5), risk areas (rule 2),
 * lockdown and exit passes (rule 4), anti-passback. Each yields findings that
 * the policy combines with the others; nothing here looks anything up.
 */

/** A negative test counts for a visitor from a risk area when taken within this many days (rule 2). */
const RISK_TEST_MAX_AGE_MS = 7 * 86_400_000;

export function estateFindings(facts: PassageFacts): Finding[] {
  return [...healthListFindings(facts), ...riskAreaFindings(facts), ...drillAware(facts, lockdownFindings(facts)), ...antiPassbackFindings(facts)];
}

/** The roster role behind a credential; none for outsiders. */
function roleOf(credential: Credential): SubjectRole | undefined {
  if (credential.kind === 'card' || credential.kind === 'health-pass') return credential.role;
  if (credential.kind === 'plate') return credential.vehicle?.role;
  return undefined;
}

function isPerson(credential: Credential): boolean {
  return credential.kind === 'card' || credential.kind === 'health-pass' || credential.kind === 'visitor-pass';
}

function healthListFindings({ credential, status, direction, at }: PassageFacts): Finding[] {
  if (!isPerson(credential)) return [];
  if (status.quarantined) return [{ verdict: 'deny', reason: 'QUARANTINED', rule: 'quarantine' }];
  const findings: Finding[] = [];
  const { recovered } = status;
  if (recovered && direction === 'in') {
    if (at < recovered.isolatedUntil) findings.push({ verdict: 'deny', reason: 'QUARANTINED', rule: 'recovered-isolation' });
    else if (Math.max(recovered.testedNegativeAt, negativeTestAt(credential) ?? -Infinity) <= recovered.isolatedUntil) {
      findings.push({ verdict: 'deny', reason: 'RECOVERED_NO_TEST', rule: 'recovered-return' });
    }
  }
  if (status.generalContact) findings.push({ verdict: 'grant', reason: 'GENERAL_CONTACT', rule: 'general-contact' });
  return findings;
}

function riskAreaFindings({ credential, direction, risk, at }: PassageFacts): Finding[] {
  if (direction !== 'in' || roleOf(credential) !== undefined) return [];
  const origin = credential.kind === 'health-pass' ? credential.origin : visitorOf(credential)?.origin;
  if (origin === undefined) return [];
  // A stale list may miss a newly listed region: the guard decides (DESIGN.md, degraded modes).
  if (risk.stale) return [{ verdict: 'refer', reason: 'RISK_LIST_STALE', rule: 'risk-area' }];
  if (!risk.levels.has(origin)) return [];
  const testAt = negativeTestAt(credential);
  return testAt !== undefined && testAt >= at - RISK_TEST_MAX_AGE_MS ? [] : [{ verdict: 'deny', reason: 'RISK_AREA_NO_TEST', rule: 'risk-area' }];
}

function lockdownFindings({ credential, direction, mode, status, rules, at }: PassageFacts): Finding[] {
  if (mode !== 'lockdown') return [];
  const role = roleOf(credential);
  if (role !== undefined && rules.exemptRoles.includes(role)) return [{ verdict: 'grant', reason: 'LOCKDOWN_EXEMPT', rule: 'lockdown-exempt' }];
  if (direction === 'in') return role === undefined ? [{ verdict: 'deny', reason: 'LOCKDOWN_NO_ENTRY', rule: 'lockdown' }] : [];
  const pass = status.exitPass;
  if (isPerson(credential) && pass && pass.validFrom <= at && at < pass.returnBy) return [{ verdict: 'grant', reason: 'EXIT_PASS_VALID', rule: 'lockdown-exit' }];
  // A resident is held to the pass; an outsider or a vehicle leaving is for the guard to judge (who is driving?).
  const verdict = role !== undefined && isPerson(credential) ? 'deny' : 'refer';
  return [{ verdict, reason: 'EXIT_PASS_REQUIRED', rule: 'lockdown-exit' }];
}

/** A drill that does not enforce records the lockdown refusal but lets the person through (rule 8). */
function drillAware({ rules }: PassageFacts, findings: Finding[]): Finding[] {
  if (!rules.drill.active || rules.drill.enforce || findings.every((f) => f.verdict === 'grant')) return findings;
  return [...findings.map((f) => ({ ...f, verdict: 'grant' as const })), { verdict: 'grant', reason: 'DRILL_NOT_ENFORCED', rule: 'drill' }];
}

function antiPassbackFindings({ credential, direction, status, rules }: PassageFacts): Finding[] {
  if (!rules.antiPassback || direction !== 'in' || !status.inside || !isPerson(credential)) return [];
  return [{ verdict: 'grant', reason: 'ANTI_PASSBACK', rule: 'anti-passback' }];
}

function visitorOf(credential: Credential) {
  return credential.kind === 'visitor-pass' || credential.kind === 'plate' ? credential.visitor : undefined;
}

function negativeTestAt(credential: Credential): number | undefined {
  const test: TestResult | undefined = credential.kind === 'health-pass' ? credential.test : visitorOf(credential)?.test;
  return test?.result === 'negative' ? test.at : undefined;
}
