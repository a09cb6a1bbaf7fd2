import type { Db } from './database.js';
import { DrillReports, type DrillReport } from './drill-report.js';

export type PassKind = 'visitor' | 'exit';

export interface ExitPassInsert {
  passId: string;
  subjectHash: string;
  household: string | null;
  reason: string;
  validFrom: number;
  returnBy: number;
  issuedBy: string;
  commandId: string;
}

export interface VisitorPassInsert {
  passId: string;
  subjectHash: string;
  hostHousehold: string;
  plate: string | null;
  purpose: string | null;
  origin: string | null;
  testedNegativeAt: number | null;
  validFrom: number;
  validUntil: number;
  issuedBy: string;
  commandId: string;
}

export interface DrillStart {
  drillId: string;
  scenario: string;
  startedAt: number;
  endsAt: number | null;
  by: string;
  commandId: string;
  enforce: boolean;
}

/**
 * The rows the commands write and check before they write: lists (the roster among them), policies,
 * drills, visitor and exit passes, and whether a subject was ever met. Every statement is prepared
 * once; the writes run inside the command's transaction (src/commands/command-service.ts).
 */
export class CommandRecords {
  private readonly stmts;
  private readonly drills: DrillReports;

  constructor(db: Db) {
    this.drills = new DrillReports(db);
    this.stmts = {
      upsertList: db.prepare(`INSERT INTO lists (name, version, entries, updated_at, command_id) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET version = excluded.version, entries = excluded.entries, updated_at = excluded.updated_at, command_id = excluded.command_id`),
      listEntries: db.prepare('SELECT entries FROM lists WHERE name = ?'),
      policyBody: db.prepare('SELECT body FROM policies WHERE version = ?'),
      insertPolicy: db.prepare('INSERT OR IGNORE INTO policies (version, body, received_at, command_id) VALUES (?, ?, ?, ?)'),
      startDrill: db.prepare('INSERT OR REPLACE INTO drills (id, scenario, started_at, ends_at, by, command_id, enforce) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      runningDrill: db.prepare('SELECT scenario, started_at FROM drills WHERE id = ? AND stopped_at IS NULL'),
      stopDrill: db.prepare('UPDATE drills SET stopped_at = ?, report = ? WHERE id = ?'),
      revokedAt: {
        visitor: db.prepare('SELECT revoked_at FROM visitor_passes WHERE id = ?'),
        exit: db.prepare('SELECT revoked_at FROM exit_passes WHERE id = ?'),
      },
      revoke: {
        visitor: db.prepare('UPDATE visitor_passes SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
        exit: db.prepare('UPDATE exit_passes SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      },
      insertExitPass: db.prepare(
        'INSERT OR REPLACE INTO exit_passes (id, subject_hash, household, reason, valid_from, return_by, issued_by, command_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertVisitorPass: db.prepare(
        `INSERT OR REPLACE INTO visitor_passes (id, subject_hash, host_household, plate, purpose, origin, tested_negative_at, valid_from, valid_until, issued_by, command_id)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      visitorWithSubject: db.prepare('SELECT 1 FROM visitor_passes WHERE subject_hash = ? LIMIT 1'),
      passageOfSubject: db.prepare('SELECT 1 FROM passages WHERE subject_hash IN (?, ?) LIMIT 1'),
    };
  }

  writeList(name: string, version: string, entries: unknown, at: number, commandId: string): void {
    this.stmts.upsertList.run(name, version, JSON.stringify(entries), at, commandId);
  }

  /** The stored entries of a list, empty when it was never written. */
  listEntries(name: string): Array<Record<string, unknown>> {
    const row = this.stmts.listEntries.get(name) as { entries: string } | undefined;
    return row ? (JSON.parse(row.entries) as Array<Record<string, unknown>>) : [];
  }

  /** The canonical rules stored under a policy version, if any. */
  policyBody(version: string): string | undefined {
    return (this.stmts.policyBody.get(version) as { body: string } | undefined)?.body;
  }

  writePolicy(version: string, rules: string, at: number, commandId: string): void {
    this.stmts.insertPolicy.run(version, rules, at, commandId);
  }

  startDrill(drill: DrillStart): void {
    this.stmts.startDrill.run(drill.drillId, drill.scenario, drill.startedAt, drill.endsAt, drill.by, drill.commandId, drill.enforce ? 1 : 0);
  }

  runningDrill(drillId: string): { scenario: string; startedAt: number } | undefined {
    const row = this.stmts.runningDrill.get(drillId) as { scenario: string; started_at: number } | undefined;
    return row && { scenario: row.scenario, startedAt: row.started_at };
  }

  /** Counts the drill-tagged passages and alerts of [from, to). */
  drillReport(drill: { id: string; scenario: string; from: number; to: number }): DrillReport {
    return this.drills.report(drill);
  }

  stopDrill(drillId: string, at: number, report: DrillReport): void {
    this.stmts.stopDrill.run(at, JSON.stringify(report), drillId);
  }

  /** A pass's revocation time: undefined when there is no such pass, null when it is not revoked. */
  passRevokedAt(kind: PassKind, passId: string): number | null | undefined {
    return (this.stmts.revokedAt[kind].get(passId) as { revoked_at: number | null } | undefined)?.revoked_at;
  }

  revokePass(kind: PassKind, passId: string, at: number): void {
    this.stmts.revoke[kind].run(at, passId);
  }

  writeExitPass(pass: ExitPassInsert): void {
    this.stmts.insertExitPass.run(pass.passId, pass.subjectHash, pass.household, pass.reason, pass.validFrom, pass.returnBy, pass.issuedBy, pass.commandId);
  }

  writeVisitorPass(pass: VisitorPassInsert): void {
    this.stmts.insertVisitorPass.run(
      pass.passId,
      pass.subjectHash,
      pass.hostHousehold,
      pass.plate,
      pass.purpose,
      pass.origin,
      pass.testedNegativeAt,
      pass.validFrom,
      pass.validUntil,
      pass.issuedBy,
      pass.commandId,
    );
  }

  /** Whether a visitor pass was ever registered for the subject (its health-pass hash). */
  visitorRegistered(subjectHash: string): boolean {
    return this.stmts.visitorWithSubject.get(subjectHash) !== undefined;
  }

  /** Whether a passage carries either hash: a person's passages carry their health-code subject's, an unknown card's its UID's. */
  passageSeen(asPassHash: string, asCardHash: string): boolean {
    return this.stmts.passageOfSubject.get(asPassHash, asCardHash) !== undefined;
  }
}
