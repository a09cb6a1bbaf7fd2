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

/** A health pass as read: who it names, its colour and validity problems. */
export interface HealthPass {
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

/**
 * The result of reading a scanned code: who it is and what is wrong with it,
 * if anything. A card, visitor pass or plate identifies; only a health pass
 * carries the health facts (docs/design.md, "One person, many credentials").
 */
export type Credential =
  | HealthPass
  | {
      kind: 'visitor-pass';
      /** The holder's health-pass subject: the visitor is the same person whichever they show. */
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
      /** A roster card names its holder's health-pass subject; an unknown card is only its UID. */
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

/** Credentials that identify a person or vehicle but say nothing of health: a health pass must follow. */
export function isIdentityOnly(credential: Credential): credential is Extract<Credential, { kind: 'card' | 'visitor-pass' | 'plate' }> {
  return credential.kind === 'card' || credential.kind === 'visitor-pass' || credential.kind === 'plate';
}
