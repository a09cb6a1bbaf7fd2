import type { SubjectRole } from './credential.js';

/** Level of a region on the district's risk-area list (estate plan, rule 2). */
export type RiskLevel = 'medium' | 'high';

/** The risk-area list as the gate holds it: region code → level, and whether it is past its maximum age. */
export interface RiskAreas {
  version: string;
  stale: boolean;
  levels: ReadonlyMap<string, RiskLevel>;
}

/** What the estate's lists and passes say about one subject, looked up by the shell. Times in ms. */
export interface SubjectStatus {
  quarantined: boolean;
  /** On the recovered list: may return after `isolatedUntil` with a negative test taken after it. */
  recovered?: { isolatedUntil: number; testedNegativeAt: number };
  generalContact: boolean;
  /** The subject's current exit pass, if any (rule 4). */
  exitPass?: { passId: string; validFrom: number; returnBy: number };
  /** The subject's last granted passage was an entry (for anti-passback). */
  inside: boolean;
  /** When the person was last refused with a confirmed fever, at any lane, while the estate remembers it (the fever hold). */
  feverDeniedAt?: number;
}

/** Estate-wide settings of the rules, from config and the current drill. */
export interface EstateRules {
  /** Roles the lockdown rules do not hold back (medical, emergency staff). */
  exemptRoles: readonly SubjectRole[];
  antiPassback: boolean;
  /** A drill is running: decisions and alerts are tagged; `enforce` false lets lockdown refusals through. */
  drill: { active: boolean; enforce: boolean };
  /** Who a `suspected-case` alert is routed to (police, community health), from config. */
  suspectedCaseContacts: readonly string[];
  /** How long a refusal with a confirmed fever holds the person out at every lane (ms); 0: no hold. */
  feverHoldMs: number;
}

export const NO_STATUS: SubjectStatus = { quarantined: false, generalContact: false, inside: false };

export const NO_RISK_AREAS: RiskAreas = { version: 'none', stale: false, levels: new Map() };

export const DEFAULT_RULES: EstateRules = {
  exemptRoles: ['medical', 'emergency'],
  antiPassback: false,
  drill: { active: false, enforce: true },
  suspectedCaseContacts: [],
  feverHoldMs: 30 * 60_000,
};
