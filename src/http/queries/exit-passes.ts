import type { CommandReads } from '../../store/command-reads.js';
import { iso, isoOrNull } from '../schemas.js';

export interface ExitPassView {
  passId: string;
  household: string | null;
  reason: string;
  issuedBy: string;
  validFrom: string;
  returnBy: string;
  leftAt: string | null;
  returnedAt: string | null;
  revokedAt: string | null;
}

/**
 * The exit passes as the approver follows them: issued, used to leave,
 * returned, revoked. No subject: the store keeps only its hash, and the
 * household is what the approver needs to recognise the pass.
 */
export function listExitPasses(reads: CommandReads, limit: number): ExitPassView[] {
  return reads.exitPasses(limit).map((row) => ({
    passId: row.id,
    household: row.household,
    reason: row.reason,
    issuedBy: row.issued_by,
    validFrom: iso(row.valid_from),
    returnBy: iso(row.return_by),
    leftAt: isoOrNull(row.left_at),
    returnedAt: isoOrNull(row.returned_at),
    revokedAt: isoOrNull(row.revoked_at),
  }));
}
