import { randomUUID } from 'node:crypto';
import type { AlertDraft } from '../core/alerts.js';
import type { PassageOutcome, PassageRecord } from '../core/lane-types.js';
import { alertMessage, auditMessage, gapMessage, passageMessage } from '../contract/messages.js';
import type { AuditMessage, GapMessage } from '../contract/report-payloads.js';
import type { Topics } from '../contract/topics.js';
import type { EventBus } from '../event-bus.js';
import type { Db } from './database.js';
import { Outbox, type StoreAccess } from './outbox.js';
import { toRanges, type ReportSigner } from './report-chain-format.js';
import { ReportChain } from './report-chain.js';
import type { SubjectHasher } from './subject-hash.js';
import type { Committer, WriteStep, WriteUnit } from './write-unit.js';

const INSERT_PASSAGE = `
  INSERT INTO passages (id, at, gate, lane, direction, kind, credential, subject_hash, vehicle_hash, verdict, reasons, rule, policy_version, temperature_c, readings, mode, drill)
  VALUES (@id, @at, @gate, @lane, @direction, @kind, @credential, @subjectHash, @vehicleHash, @verdict, @reasons, @rule, @policyVersion, @temperatureC, @readings, @mode, @drill)`;
const INSERT_ALERT = `
  INSERT INTO alerts (id, at, type, severity, gate, lane, passage_id, subject_hash, reasons, details)
  VALUES (@id, @at, @type, @severity, @gate, @lane, @passageId, @subjectHash, @reasons, @details)`;
const SETTLE = 'UPDATE passages SET outcome = ?, settled_at = ? WHERE id = ? AND outcome IS NULL';
const REMEMBER = 'INSERT INTO replay_window (key, at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET at = excluded.at';
const FORGET = 'DELETE FROM replay_window WHERE key = ?';

/**
 * Writes what the gate decided. A passage, its alerts and their outgoing MQTT
 * messages are one unit (write-unit.ts), committed together or not at all, so
 * a crash at any point either keeps all of them or none, and nothing is
 * released that was not recorded first. With a writer thread the units of
 * many lanes share one commit (writer-thread.ts).
 */
export class Journal {
  readonly outbox: Outbox;
  readonly chain: ReportChain;
  private readonly committer: Committer;
  private passageMarks: (passage: PassageRecord) => WriteStep[] = () => [];

  constructor(
    private readonly db: Db,
    private readonly topics: Topics,
    readonly hashSubject: SubjectHasher,
    /** The gateway key: signs gap records (secrets.gatewayKey). */
    signer?: ReportSigner,
    /** Told `journal-enqueued` after every committed write that queued messages, so the publishers drain without polling. */
    private readonly events?: EventBus,
    access: StoreAccess = {},
  ) {
    this.chain = new ReportChain(db, signer);
    this.outbox = new Outbox(db, 'outbox', this.chain, access);
    this.committer = this.outbox.committer;
  }

  /** What else a recorded passage writes in its transaction (the estate registry's exit-pass marks). */
  markPassagesWith(marks: (passage: PassageRecord) => WriteStep[]): void {
    this.passageMarks = marks;
  }

  /** Records a decided passage with its alerts; resolves once on disk, rejects on a storage error: the caller must then not release. */
  async recordPassage(passage: PassageRecord, alerts: readonly AlertDraft[]): Promise<string[]> {
    const { unit, alertIds } = this.passageUnit(passage, alerts);
    await this.committer.commit(unit);
    this.announceEnqueued(alertIds.length > 0);
    return alertIds;
  }

  /** recordPassage on the synchronous path, for a caller that answers at once (a guard's remote release). */
  recordPassageNow(passage: PassageRecord, alerts: readonly AlertDraft[]): string[] {
    const { unit, alertIds } = this.passageUnit(passage, alerts);
    this.committer.commitNow(unit);
    this.announceEnqueued(alertIds.length > 0);
    return alertIds;
  }

  /** Records an alert that no passage raised (device fault, forced barrier, …), on the synchronous path: they are rare. */
  recordAlert(alert: AlertDraft): string {
    const steps: WriteStep[] = [];
    const id = this.alertSteps(alert, null, steps);
    this.committer.commitNow({ durable: true, steps });
    this.announceEnqueued(true);
    return id;
  }

  /**
   * A signed gap record for reports shed from a full queue (docs/district.md,
   * "Gaps"). Call inside the transaction that deletes them.
   */
  recordGap(outbox: GapMessage['outbox'], seqs: readonly number[], at: number): void {
    if (seqs.length === 0) return;
    this.outbox.enqueue(gapMessage(this.topics, at, { outbox, ranges: toRanges(seqs), count: seqs.length }), at, { signed: true });
    setImmediate(() => this.announceEnqueued());
  }

  /** The chained summary of a command's audit row. Call inside the transaction that writes the row. */
  recordAudit(summary: Omit<AuditMessage, 'id' | 'v' | 'seq' | 'prev' | 'hash'>, at: number): void {
    this.outbox.enqueue(auditMessage(this.topics, summary), at);
    // After the caller's commit: the bound check must not run inside its transaction.
    setImmediate(() => this.announceEnqueued());
  }

  /**
   * A granted pass, for the replay window across restarts (found from outside: a restart forgot it). Its loss in a
   * power cut costs one replay check, never a decision: not durable (write-unit.ts).
   */
  rememberPass(key: string, at: number): Promise<void> {
    return this.committer.commit({ durable: false, steps: [{ kind: 'run', sql: REMEMBER, params: [key, at] }] });
  }

  forgetPass(key: string): Promise<void> {
    return this.committer.commit({ durable: false, steps: [{ kind: 'run', sql: FORGET, params: [key] }] });
  }

  /** The passes granted since `since`, oldest first; older rows are dropped. */
  recentPasses(since: number): Array<{ key: string; at: number }> {
    this.db.prepare('DELETE FROM replay_window WHERE at < ?').run(since);
    return this.db.prepare('SELECT key, at FROM replay_window ORDER BY at').all() as Array<{ key: string; at: number }>;
  }

  /** The outcome after the release: durable with the next decision's commit. */
  settlePassage(passageId: string, outcome: PassageOutcome, at: number): Promise<void> {
    return this.committer.commit({ durable: false, steps: [{ kind: 'run', sql: SETTLE, params: [outcome, at, passageId] }] });
  }

  private passageUnit(passage: PassageRecord, alerts: readonly AlertDraft[]): { unit: WriteUnit; alertIds: string[] } {
    const subjectHash = passage.subject ? this.hashSubject(passage.subject) : null;
    // A plate with no occupant screened may stand as the subject: a trace by plate still finds it.
    const vehicle = passage.vehicle ?? (passage.subject?.kind === 'plate' ? passage.subject : undefined);
    const vehicleHash = vehicle ? this.hashSubject(vehicle) : null;
    const row = {
      id: passage.id,
      at: passage.at,
      gate: passage.gate,
      lane: passage.lane,
      direction: passage.direction,
      kind: passage.kind,
      credential: passage.credential,
      subjectHash,
      vehicleHash,
      verdict: passage.decision.verdict,
      reasons: JSON.stringify(passage.decision.reasons),
      rule: passage.decision.rule,
      policyVersion: passage.decision.policyVersion,
      temperatureC: passage.temperatureC,
      readings: JSON.stringify(passage.readings),
      mode: passage.mode,
      drill: passage.drill ? 1 : 0,
    };
    const steps: WriteStep[] = [
      { kind: 'run', sql: INSERT_PASSAGE, params: row },
      { kind: 'enqueue', message: passageMessage(this.topics, passage, subjectHash), at: passage.at },
      ...this.passageMarks(passage),
    ];
    const alertIds = alerts.map((alert) => this.alertSteps(alert, subjectHash, steps));
    return { unit: { durable: true, steps }, alertIds };
  }

  /** Appends an alert's row and message to `steps`; its id. */
  private alertSteps(alert: AlertDraft, subjectHash: string | null, steps: WriteStep[]): string {
    const id = randomUUID();
    const row = {
      id,
      at: alert.at,
      type: alert.type,
      severity: alert.severity,
      gate: alert.gate ?? null,
      lane: alert.lane ?? null,
      passageId: alert.passageId ?? null,
      subjectHash,
      reasons: JSON.stringify(alert.reasons),
      details: JSON.stringify(alert.details),
    };
    steps.push({ kind: 'run', sql: INSERT_ALERT, params: row }, { kind: 'enqueue', message: alertMessage(this.topics, id, alert, subjectHash), at: alert.at });
    return id;
  }

  /** Tells the publishers that messages wait (and the guard room, when alert rows were written); for writes to the outbox made beside the journal too (checkpoints). */
  announceEnqueued(alerts = false): void {
    this.events?.emit('journal-enqueued', { alerts });
  }
}
