import type { Db } from '../../store/database.js';
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

interface ExitPassRow {
  id: string;
  household: string | null;
  reason: string;
  issued_by: string;
  valid_from: number;
  return_by: number;
  left_at: number | null;
  returned_at: number | null;
  revoked_at: number | null;
}

/**
 * The exit passes as the approver follows them: issued, used to leave,
 * returned, revoked. No subject: the store keeps only its hash, and the
 * household is what the approver needs to recognise the pass.
 */
export function listExitPasses(db: Db, limit: number): ExitPassView[] {
  const rows = db
    .prepare('SELECT id, household, reason, issued_by, valid_from, return_by, left_at, returned_at, revoked_at FROM exit_passes ORDER BY valid_from DESC, id LIMIT ?')
    .all(limit) as ExitPassRow[];
  return rows.map((row) => ({
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
