import { randomUUID } from 'node:crypto';
import type { AlertDraft } from '../core/alerts.js';
import type { PassageOutcome, PassageRecord } from '../core/lane-types.js';
import { alertMessage, auditMessage, gapMessage, passageMessage } from '../contract/messages.js';
import type { AuditMessage, GapMessage } from '../contract/report-payloads.js';
import type { Topics } from '../contract/topics.js';
import type { EventBus } from '../event-bus.js';
import { relaxedWriter, type Db, type RelaxedWrite } from './database.js';
import { Outbox } from './outbox.js';
import { toRanges, type ReportSigner } from './report-chain-format.js';
import { ReportChain } from './report-chain.js';
import type { SubjectHasher } from './subject-hash.js';

/**
 * Writes what the gate decided. A passage, its alerts and their outgoing MQTT
 * messages go into one transaction, so a crash at any point either keeps all
 * of them or none, and nothing is released that was not recorded first.
 */
export class Journal {
  readonly outbox: Outbox;
  readonly chain: ReportChain;
  private readonly insertPassage;
  private readonly insertAlert;
  private readonly settleStmt;
  private readonly rememberStmt;
  private readonly forgetStmt;
  private readonly relaxed: RelaxedWrite;

  constructor(
    private readonly db: Db,
    private readonly topics: Topics,
    readonly hashSubject: SubjectHasher,
    /** The gateway key: signs gap records (secrets.gatewayKey). */
    signer?: ReportSigner,
    /** Told `journal-enqueued` after every committed write that queued messages, so the publishers drain without polling. */
    private readonly events?: EventBus,
  ) {
    this.chain = new ReportChain(db, signer);
    this.outbox = new Outbox(db, 'outbox', this.chain);
    this.insertPassage = db.prepare(`
      INSERT INTO passages (id, at, gate, lane, direction, kind, credential, subject_hash, vehicle_hash, verdict, reasons, rule, policy_version, temperature_c, readings, mode, drill)
      VALUES (@id, @at, @gate, @lane, @direction, @kind, @credential, @subjectHash, @vehicleHash, @verdict, @reasons, @rule, @policyVersion, @temperatureC, @readings, @mode, @drill)`);
    this.insertAlert = db.prepare(`
      INSERT INTO alerts (id, at, type, severity, gate, lane, passage_id, subject_hash, reasons, details)
      VALUES (@id, @at, @type, @severity, @gate, @lane, @passageId, @subjectHash, @reasons, @details)`);
    this.relaxed = relaxedWriter(db);
    this.settleStmt = db.prepare('UPDATE passages SET outcome = ?, settled_at = ? WHERE id = ? AND outcome IS NULL');
    this.forgetStmt = db.prepare('DELETE FROM replay_window WHERE key = ?');
    this.rememberStmt = db.prepare('INSERT INTO replay_window (key, at) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET at = excluded.at');
  }

  /** Records a decided passage with its alerts. Throws on a storage error: the caller must then not release. */
  recordPassage(passage: PassageRecord, alerts: readonly AlertDraft[]): string[] {
    const subjectHash = passage.subject ? this.hashSubject(passage.subject) : null;
    // A plate with no occupant screened may stand as the subject: a trace by plate still finds it.
    const vehicle = passage.vehicle ?? (passage.subject?.kind === 'plate' ? passage.subject : undefined);
    const vehicleHash = vehicle ? this.hashSubject(vehicle) : null;
    const alertIds = this.db.transaction(() => {
      this.insertPassage.run({
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
      });
      this.outbox.enqueue(passageMessage(this.topics, passage, subjectHash), passage.at);
      return alerts.map((alert) => this.writeAlert(alert, subjectHash));
    })();
    this.announceEnqueued();
    return alertIds;
  }

  /** Records an alert that no passage raised (device fault, forced barrier, …). */
  recordAlert(alert: AlertDraft): string {
    const id = this.db.transaction(() => this.writeAlert(alert, null))();
    this.announceEnqueued();
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

  /** The outcome after the release: durable with the next decision's commit, see relaxedWriter. */
  /**
   * A granted pass, for the replay window across restarts (found from outside: a restart forgot it). Its loss in a
   * power cut costs one replay check, never a decision: written relaxed.
   */
  rememberPass(key: string, at: number): void {
    this.relaxed(() => this.rememberStmt.run(key, at));
  }

  forgetPass(key: string): void {
    this.relaxed(() => this.forgetStmt.run(key));
  }

  /** The passes granted since `since`, oldest first; older rows are dropped. */
  recentPasses(since: number): Array<{ key: string; at: number }> {
    this.db.prepare('DELETE FROM replay_window WHERE at < ?').run(since);
    return this.db.prepare('SELECT key, at FROM replay_window ORDER BY at').all() as Array<{ key: string; at: number }>;
  }

  settlePassage(passageId: string, outcome: PassageOutcome, at: number): void {
    this.relaxed(() => this.settleStmt.run(outcome, at, passageId));
  }

  private writeAlert(alert: AlertDraft, subjectHash: string | null): string {
    const id = randomUUID();
    this.insertAlert.run({
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
    });
    this.outbox.enqueue(alertMessage(this.topics, id, alert, subjectHash), alert.at);
    return id;
  }

  /** Tells the publishers that messages wait; for writes to the outbox made beside the journal (checkpoints). */
  announceEnqueued(): void {
    this.events?.emit('journal-enqueued');
  }
}
