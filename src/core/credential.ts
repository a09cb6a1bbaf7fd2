import type { ReasonCode } from './reasons.js';

/** Health-code colour as issued by the health authority. */
export type CodeColour = 'green' | 'yellow' | 'red';

/** Role of a card holder in the estate roster. */
export type SubjectRole = 'resident' | 'staff';

/** A person's identity at the gate. `id` is the raw subject id; the store keeps only its keyed hash. */
export interface Subject {
  kind: 'health-pass' | 'card';
  id: string;
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
      test?: { at: number; result: 'negative' | 'positive' };
      /** Six-digit administrative region code (GB/T 2260) of the holder's origin. */
      origin?: string;
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
