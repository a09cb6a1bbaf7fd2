import type { Credential, TestResult } from './credential.js';
import { healthPassOf, personOf, personRole, type Finding, type PassageFacts } from './passage-facts.js';

/**
 * The estate plan's rules beyond code and temperature (docs/design.md, "What the
 * estate plan asks of a gate"): health lists (rule 5), risk areas (rule 2),
 * lockdown and exit passes (rule 4), anti-passback. Each yields findings that
 * the policy combines with the others; nothing here looks anything up. They
 * apply to the person, whichever credential identified them.
 */

/** A negative test counts for someone arriving from a risk area when taken within the 7 days before arrival (rule 2). */
const RISK_TEST_MAX_AGE_MS = 7 * 86_400_000;

export function estateFindings(facts: PassageFacts): Finding[] {
  return [...healthListFindings(facts), ...riskAreaFindings(facts), ...drillAware(facts, lockdownFindings(facts)), ...antiPassbackFindings(facts)];
}

function healthListFindings(facts: PassageFacts): Finding[] {
  const { status, direction, at } = facts;
  if (!personOf(facts)) return [];
  if (status.quarantined) return [{ verdict: 'deny', reason: 'QUARANTINED', rule: 'quarantine' }];
  const findings: Finding[] = [];
  const { recovered } = status;
  // Still isolating: held like the quarantined, both ways. Back after isolation: a negative test dated after it.
  if (recovered && at < recovered.isolatedUntil) findings.push({ verdict: 'deny', reason: 'QUARANTINED', rule: 'recovered-isolation' });
  else if (recovered && direction === 'in' && Math.max(recovered.testedNegativeAt, negativeTestAt(facts) ?? -Infinity) <= recovered.isolatedUntil) {
    findings.push({ verdict: 'deny', reason: 'RECOVERED_NO_TEST', rule: 'recovered-return' });
  }
  if (status.generalContact) findings.push({ verdict: 'grant', reason: 'GENERAL_CONTACT', rule: 'general-contact' });
  return findings;
}

/**
 * Rule 2, 来泉返泉人员: everyone arriving in or returning to the city, residents and staff as much as visitors.
 * The person arrives at the gate now, so the test must be no older than 7 days at this entry.
 */
function riskAreaFindings(facts: PassageFacts): Finding[] {
  const { direction, risk, at } = facts;
  if (direction !== 'in') return [];
  // Every origin known counts: the pass's and the one recorded at the visitor's registration (found from outside:
  // a pass naming another origin overrode the registration's).
  const origins = [healthPassOf(facts)?.origin, visitorOf(facts.credential)?.origin].filter((o): o is string => o !== undefined);
  if (origins.length === 0) return [];
  // A stale list may miss a newly listed region: the guard decides (docs/design.md, degraded modes).
  if (risk.stale) return [{ verdict: 'refer', reason: 'RISK_LIST_STALE', rule: 'risk-area' }];
  if (!origins.some((origin) => isListed(origin, risk.levels))) return [];
  const testAt = negativeTestAt(facts);
  return testAt !== undefined && testAt >= at - RISK_TEST_MAX_AGE_MS ? [] : [{ verdict: 'deny', reason: 'RISK_AREA_NO_TEST', rule: 'risk-area' }];
}

function lockdownFindings(facts: PassageFacts): Finding[] {
  const { credential, direction, mode, status, rules, at } = facts;
  if (mode !== 'lockdown') return [];
  const role = personRole(facts);
  if (role !== undefined && rules.exemptRoles.includes(role)) return [{ verdict: 'grant', reason: 'LOCKDOWN_EXEMPT', rule: 'lockdown-exempt' }];
  if (direction === 'in') {
    // No outside people or vehicles: an outsider, or anyone in a vehicle that is not the estate's.
    const outsideVehicle = credential.kind === 'plate' && !credential.vehicle;
    return role === undefined || outsideVehicle ? [{ verdict: 'deny', reason: 'LOCKDOWN_NO_ENTRY', rule: 'lockdown' }] : [];
  }
  const pass = status.exitPass;
  if (personOf(facts) && pass && pass.validFrom <= at && at < pass.returnBy) return [{ verdict: 'grant', reason: 'EXIT_PASS_VALID', rule: 'lockdown-exit' }];
  // A resident is held to the pass; an outsider leaving is for the guard to judge (who let them in?).
  return [{ verdict: role !== undefined ? 'deny' : 'refer', reason: 'EXIT_PASS_REQUIRED', rule: 'lockdown-exit' }];
}

/** A drill that does not enforce records the lockdown refusal but lets the person through (rule 8). */
function drillAware({ rules }: PassageFacts, findings: Finding[]): Finding[] {
  if (!rules.drill.active || rules.drill.enforce || findings.every((f) => f.verdict === 'grant')) return findings;
  return [...findings.map((f) => ({ ...f, verdict: 'grant' as const })), { verdict: 'grant', reason: 'DRILL_NOT_ENFORCED', rule: 'drill' }];
}

function antiPassbackFindings(facts: PassageFacts): Finding[] {
  const { direction, status, rules } = facts;
  if (!rules.antiPassback || direction !== 'in' || !status.inside || !personOf(facts)) return [];
  return [{ verdict: 'grant', reason: 'ANTI_PASSBACK', rule: 'anti-passback' }];
}

/**
 * GB/T 2260 codes nest: 42 province, 4201 city, 420106 district. A listed city (420100) or province (420000)
 * covers its districts (found from outside: 420106 passed while Wuhan, 420100, was listed).
 */
function isListed(origin: string, levels: ReadonlyMap<string, unknown>): boolean {
  return [origin, `${origin.slice(0, 4)}00`, `${origin.slice(0, 2)}0000`].some((code) => levels.has(code));
}

function visitorOf(credential: Credential) {
  return credential.kind === 'visitor-pass' || credential.kind === 'plate' ? credential.visitor : undefined;
}

/** A test dated later than this past the decision is no test at all (clock skew tolerated, nothing more). */
const TEST_DATE_SKEW_MS = 300_000;

/** The newest negative test taken by now: on the pass, or shown at the visitor's registration. */
function negativeTestAt(facts: PassageFacts): number | undefined {
  const tests: Array<TestResult | undefined> = [healthPassOf(facts)?.test, visitorOf(facts.credential)?.test];
  // Found from outside: a negative test dated two days ahead counted as fresh for a week beyond.
  const negatives = tests.filter((t): t is TestResult => t?.result === 'negative' && t.at <= facts.at + TEST_DATE_SKEW_MS).map((t) => t.at);
  return negatives.length > 0 ? Math.max(...negatives) : undefined;
}
