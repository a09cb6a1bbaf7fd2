import { FEVER_HOLD_RULE } from '../core/fever-hold.js';
import type { VisitorPassRecord } from '../core/registry.js';
import type { Db } from './database.js';
import type { StoreAccess } from './outbox.js';
import type { WriteStep } from './write-unit.js';

/** An exit pass as the gate needs it (estate plan, rule 4). Times in ms. */
export interface ExitPassRow {
  passId: string;
  validFrom: number;
  returnBy: number;
  leftAt: number | null;
}

export interface OverdueExitPass {
  passId: string;
  subjectHash: string;
  household: string | null;
  returnBy: number;
  leftAt: number;
}

export interface DrillRow {
  id: string;
  scenario: string;
  startedAt: number;
  endsAt: number | null;
  enforce: boolean;
}

const MARK_LEFT = 'UPDATE exit_passes SET left_at = ? WHERE id = ? AND left_at IS NULL';
const MARK_RETURNED = 'UPDATE exit_passes SET returned_at = ? WHERE subject_hash IN (?, ?) AND left_at IS NOT NULL AND returned_at IS NULL';

interface VisitorRow {
  id: string;
  host_household: string;
  plate: string | null;
  purpose: string | null;
  origin: string | null;
  tested_negative_at: number | null;
  valid_from: number;
  valid_until: number;
  revoked_at: number | null;
}

/**
 * The reads and writes the gate rules make on the command tables (migrations
 * v2 and v3): visitor passes, exit passes, lists, drills. Prepared once; every
 * lookup is by primary key or an index. The lookups a decision makes read from
 * `access.reader`; the marks a passage makes are steps of the passage's own
 * unit (journal.ts), so they commit with it or not at all.
 */
export class RuleStore {
  private readonly stmts;

  constructor(db: Db, access: Pick<StoreAccess, 'reader'> = {}) {
    const reader = access.reader ?? db;
    this.stmts = {
      visitor: reader.prepare('SELECT * FROM visitor_passes WHERE id = ?'),
      visitorByPlate: reader.prepare('SELECT * FROM visitor_passes WHERE plate = ? AND valid_from <= ? AND valid_until > ? AND revoked_at IS NULL ORDER BY valid_until DESC LIMIT 1'),
      // A revoked pass (revoke-pass) grants nothing: it is not the subject's open pass.
      exitPass: reader.prepare(`SELECT id, valid_from, return_by, left_at FROM exit_passes
        WHERE subject_hash IN (?, ?) AND revoked_at IS NULL AND returned_at IS NULL ORDER BY return_by DESC LIMIT 1`),
      // Revoked or not: whoever left on a pass is still expected back by its deadline.
      overdue: reader.prepare(`SELECT id, subject_hash, household, return_by, left_at FROM exit_passes
        WHERE left_at IS NOT NULL AND returned_at IS NULL AND overdue_alerted_at IS NULL AND return_by <= ?`),
      markOverdue: db.prepare('UPDATE exit_passes SET overdue_alerted_at = ? WHERE id = ?'),
      list: reader.prepare('SELECT version, entries, updated_at FROM lists WHERE name = ?'),
      // What startsFeverHold says of a decision, on the rows: refused with FEVER, and not by the hold itself.
      feverDenials: reader.prepare(`SELECT subject_hash, at FROM passages
        WHERE at >= ? AND verdict = 'deny' AND rule <> ? AND subject_hash IS NOT NULL
          AND EXISTS (SELECT 1 FROM json_each(passages.reasons) WHERE value = 'FEVER')
          AND NOT (credential = 'health-pass' AND EXISTS (SELECT 1 FROM json_each(passages.reasons) WHERE value IN ('CODE_BAD_SIGNATURE', 'CODE_UNKNOWN_ISSUER', 'CODE_MALFORMED')))
        ORDER BY at`),
      activeDrill: reader.prepare('SELECT id, scenario, started_at, ends_at, enforce FROM drills WHERE stopped_at IS NULL AND (ends_at IS NULL OR ends_at > ?) ORDER BY started_at DESC LIMIT 1'),
    };
  }

  visitorPass(passId: string): VisitorPassRecord | undefined {
    const row = this.stmts.visitor.get(passId) as VisitorRow | undefined;
    return row && toVisitor(row);
  }

  visitorPassForPlate(plate: string, at: number): VisitorPassRecord | undefined {
    const row = this.stmts.visitorByPlate.get(plate, at, at) as VisitorRow | undefined;
    return row && toVisitor(row);
  }

  /** The subject's open exit pass; `hashes` are the subject's card and health-pass hashes. */
  exitPass(hashes: readonly [string, string]): ExitPassRow | undefined {
    const row = this.stmts.exitPass.get(...hashes) as { id: string; valid_from: number; return_by: number; left_at: number | null } | undefined;
    return row && { passId: row.id, validFrom: row.valid_from, returnBy: row.return_by, leftAt: row.left_at };
  }

  /** The step that marks an exit pass used to leave. */
  markLeft(passId: string, at: number): WriteStep {
    return { kind: 'run', sql: MARK_LEFT, params: [at, passId] };
  }

  /** The step that marks the subject's used exit passes returned. */
  markReturned(hashes: readonly [string, string], at: number): WriteStep {
    return { kind: 'run', sql: MARK_RETURNED, params: [at, ...hashes] };
  }

  /** Passes used to leave whose deadline passed without a return, not yet alerted. */
  overdueExitPasses(now: number): OverdueExitPass[] {
    const rows = this.stmts.overdue.all(now) as Array<{ id: string; subject_hash: string; household: string | null; return_by: number; left_at: number }>;
    return rows.map((r) => ({ passId: r.id, subjectHash: r.subject_hash, household: r.household, returnBy: r.return_by, leftAt: r.left_at }));
  }

  markOverdueAlerted(passId: string, at: number): void {
    this.stmts.markOverdue.run(at, passId);
  }

  list<T>(name: string): { version: string; entries: T[]; updatedAt: number } | undefined {
    const row = this.stmts.list.get(name) as { version: string; entries: string; updated_at: number } | undefined;
    return row && { version: row.version, entries: JSON.parse(row.entries) as T[], updatedAt: row.updated_at };
  }

  /** The passages refused with a confirmed fever since `since`, oldest first (the fever hold at start). */
  feverDenials(since: number): Array<{ subjectHash: string; at: number }> {
    const rows = this.stmts.feverDenials.all(since, FEVER_HOLD_RULE) as Array<{ subject_hash: string; at: number }>;
    return rows.map((r) => ({ subjectHash: r.subject_hash, at: r.at }));
  }

  activeDrill(now: number): DrillRow | undefined {
    const row = this.stmts.activeDrill.get(now) as { id: string; scenario: string; started_at: number; ends_at: number | null; enforce: number } | undefined;
    return row && { id: row.id, scenario: row.scenario, startedAt: row.started_at, endsAt: row.ends_at, enforce: row.enforce === 1 };
  }
}

function toVisitor(row: VisitorRow): VisitorPassRecord {
  return {
    passId: row.id,
    hostHousehold: row.host_household,
    ...(row.plate ? { plate: row.plate } : {}),
    ...(row.purpose ? { purpose: row.purpose } : {}),
    ...(row.origin ? { origin: row.origin } : {}),
    ...(row.tested_negative_at !== null ? { test: { at: row.tested_negative_at, result: 'negative' as const } } : {}),
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    revoked: row.revoked_at !== null,
  };
}
