import type { ReasonCode } from './reasons.js';

/** Health-code colour as issued by the health authority. */
export type CodeColour = 'green' | 'yellow' | 'red';

/** Role of a card holder in the estate roster; `medical` and `emergency` staff may be exempt from lockdown rules. */
export const SUBJECT_ROLES = ['resident', 'staff', 'medical', 'emergency'] as const;
export type SubjectRole = (typeof SUBJECT_ROLES)[number];

/**
 * A person's (or vehicle's) identity at the gate. `id` is the raw subject id;
 * the store keeps only its keyed hash. A visitor pass names its holder by the
 * health-pass subject, so trail, contacts and lists find the visitor either way.
 */
export const SUBJECT_KINDS = ['card', 'health-pass', 'plate'] as const;

export interface Subject {
  kind: (typeof SUBJECT_KINDS)[number];
  id: string;
}

/** A nucleic-acid test result; `at` in ms. */
export interface TestResult {
  at: number;
  result: 'negative' | 'positive';
}

/** What the estate registered about a visitor (estate plan, rule 1). */
export interface VisitorDetails {
  passId: string;
  hostHousehold: string;
  plate?: string;
  /** Six-digit region code (GB/T 2260) of where the visitor comes from. */
  origin?: string;
  test?: TestResult;
}

/** The result of reading a scanned code: who it is and what is wrong with it, if anything. */
export type Credential =
  | {
      kind: 'health-pass';
      subject: Subject;
      colour: CodeColour;
      issuer: string;
      expiresAt: number;
      /** Fingerprint of the signed payload, for replay detection. */
      fingerprint: string;
      /** Nucleic-acid test carried by the pass; `at` in ms. */
      test?: TestResult;
      /** Six-digit administrative region code (GB/T 2260) of the holder's origin. */
      origin?: string;
      /** Set when the pass holder is in the roster (their card's subject is the pass subject). */
      role?: SubjectRole;
      household?: string;
      problems: ReasonCode[];
    }
  | {
      kind: 'visitor-pass';
      subject: Subject;
      visitor: VisitorDetails;
      problems: ReasonCode[];
    }
  | {
      kind: 'plate';
      subject: Subject;
      /** A resident or staff vehicle from the roster. */
      vehicle?: { household?: string; role: SubjectRole };
      /** A visitor pass registered for this plate and valid now. */
      visitor?: VisitorDetails;
      problems: ReasonCode[];
    }
  | {
      kind: 'card';
      subject: Subject;
      /** Absent when the card is not in the roster. */
      role?: SubjectRole;
      household?: string;
      problems: ReasonCode[];
    }
  | {
      kind: 'unreadable';
      problems: ReasonCode[];
    };
