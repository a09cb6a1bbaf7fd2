import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH, toRanges, type Payload } from '../store/report-chain-format.js';
import type { EstateState, Finding, ReceivedReport, ReportStore } from './report-store.js';
import { verifyCheckpoint, verifyStream, type Range } from './verify-stream.js';

/** What one settle found: reports now stored as verified, and the ranges to ask cmd/resend for. */
export interface Settled {
  stored: ReceivedReport[];
  /** Neither received nor explained, then shed (explained) ones to backfill. */
  wanted: Range[];
}

export type ReceiveOutcome = 'held' | 'duplicate' | 'rejected';

type Link = { hash: string; prev: string };

const seqsOf = (ranges: readonly Range[]) => ranges.flatMap((range) => Array.from({ length: range.to - range.from + 1 }, (_, i) => range.from + i));

/** A sign of life counts from its own signed time, never later than it arrived: a replayed old one proves nothing new. */
const signedAt = (ts: unknown, receivedAt: number) => Math.min(typeof ts === 'string' && Number.isFinite(Date.parse(ts)) ? Date.parse(ts) : 0, receivedAt);

/**
 * One estate's report stream at the district (docs/district.md, "The district
 * receiver"). A report that passes its own hash is held (and kept in the
 * store's pending table, so a restart loses it not). Only the gateway's
 * signature makes it verified: it is stored once a signed checkpoint covers
 * it, through an unbroken chain of hashes from the checkpoint's {seq, hash}
 * down to it. A link forward from the verified head proves nothing (anyone on
 * the broker path can compute one), so two reports under one seq both wait
 * for that checkpoint, which keeps the gateway's and discards the other. The
 * checks of a single report are verify-stream.ts.
 */
export class EstateTracker {
  /** Held reports by seq; two entries under one seq wait for a checkpoint to decide. */
  private readonly held = new Map<number, ReceivedReport[]>();
  /** The tail of the turns (inTurn). */
  private turn: Promise<unknown> = Promise.resolve();
  /** Verified reports above the head (a hole below them): the hash and prev a checkpoint's chain proved. */
  private readonly verifiedAhead = new Map<number, Link>();
  /** Findings already recorded, so a settle that sees the same thing again does not repeat it. */
  private readonly noted = new Set<string>();
  dirty = true;

  constructor(
    readonly state: EstateState,
    readonly prefix: string,
    private readonly key: KeyObject,
    private readonly store: ReportStore,
    private readonly note: (finding: Finding) => Promise<void>,
  ) {}

  async load(): Promise<void> {
    for (const report of await this.store.pending(this.state.estate)) this.hold(report);
    for (const link of await this.store.linksAbove(this.state.estate, this.state.headSeq)) this.verifiedAhead.set(link.seq, link);
  }

  pendingCount(): number {
    let count = 0;
    for (const reports of this.held.values()) count += reports.length;
    return count;
  }

  /** A chained report as received. `backfilled`: it is in a range we asked cmd/resend for. */
  receive(payload: Payload, raw: string, topic: string, receivedAt: number, backfilled: boolean, limits: { maxPending: number; lateAfterMs: number }): Promise<ReceiveOutcome> {
    return this.inTurn(() => this.receiveNow(payload, raw, topic, receivedAt, backfilled, limits));
  }

  /** A checkpoint `{seq, hash, ts, kid, sig}`: its signature, and the verified report at its seq if there is one. */
  checkpoint(payload: Payload, receivedAt: number): Promise<boolean> {
    return this.inTurn(() => this.checkpointNow(payload, receivedAt));
  }

  /** Stores what the newest signed checkpoint covers, moves the head, and says what to ask for. */
  settle(now: number, lateAfterMs: number): Promise<Settled> {
    return this.inTurn(() => this.settleNow(now, lateAfterMs));
  }

  /**
   * One message or settle at a time: each reads the held and verified reports and the head, and awaits the store
   * between, so a copy the broker delivers again while a settle stores the first one finds it stored, not gone.
   */
  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  private async receiveNow(payload: Payload, raw: string, topic: string, receivedAt: number, backfilled: boolean, limits: { maxPending: number; lateAfterMs: number }): Promise<ReceiveOutcome> {
    const estate = this.state.estate;
    this.state.lastReportAt = receivedAt;
    const seq = typeof payload.seq === 'number' ? payload.seq : 0;
    // Checked alone, from its own prev: only its own hash, its sequence fields and a gap record's signature can fail here.
    const alone = verifyStream([payload], { key: this.key, start: { seq: seq - 1, hash: typeof payload.prev === 'string' ? payload.prev : GENESIS_HASH } });
    if (alone.findings.length > 0) {
      for (const finding of alone.findings) await this.flag(finding.kind, 'seq' in finding ? finding.seq : null, `${topic} ${'id' in finding ? String(finding.id) : String(payload.hash)}`, receivedAt);
      return 'rejected';
    }
    const report: ReceivedReport = {
      estate,
      seq,
      hash: payload.hash as string,
      prev: payload.prev as string,
      id: typeof payload.id === 'string' ? payload.id : `seq-${seq}`,
      topic,
      payload: raw,
      ts: typeof payload.ts === 'string' ? payload.ts : null,
      receivedAt,
      backfilled,
    };
    const verified = await this.verifiedAt(seq);
    if (verified) {
      if (verified.hash !== report.hash) await this.flag('conflict', seq, `${report.hash} differs from the verified ${verified.hash}`, receivedAt);
      return verified.hash === report.hash ? 'duplicate' : 'rejected';
    }
    // The verified report before it is the gateway's: a report that does not link to it cannot be.
    const before = seq - 1 === this.state.headSeq && this.state.headHash !== null ? this.state.headHash : this.verifiedAhead.get(seq - 1)?.hash;
    if (before !== undefined && report.prev !== before) {
      await this.flag('broken-link', seq, report.hash, receivedAt);
      return 'rejected';
    }
    if ((this.held.get(seq) ?? []).some((other) => other.hash === report.hash)) return 'duplicate';
    if (seq > this.state.headSeq && this.pendingCount() >= limits.maxPending) return 'rejected';
    // 迟报: the event happened long before the district heard of it (a resend's delay is the gap's, not the estate's).
    const delayMs = report.ts === null ? NaN : receivedAt - Date.parse(report.ts);
    if (!backfilled && delayMs > limits.lateAfterMs) await this.flag('late', seq, `${topic} arrived ${Math.round(delayMs / 1000)} s after its event`, receivedAt);
    // A gap record's signature verified above: it is the gateway's own word, and a sign of life.
    if (Array.isArray(payload.ranges)) this.sign(signedAt(payload.ts, receivedAt));
    this.hold(report);
    await this.store.addPending(report);
    this.dirty = true;
    return 'held';
  }

  private async checkpointNow(payload: Payload, receivedAt: number): Promise<boolean> {
    const seq = typeof payload.seq === 'number' ? payload.seq : -1;
    const verified = seq > 0 ? (await this.verifiedAt(seq))?.hash : undefined;
    const findings = verifyCheckpoint(payload, this.key, () => verified);
    if (findings.length > 0) {
      for (const finding of findings) await this.flag(finding.kind, seq, `checkpoint ${String(payload.id)}`, receivedAt);
      return false;
    }
    if (!this.state.checkpoint || seq >= this.state.checkpoint.seq) this.state.checkpoint = { seq, hash: payload.hash as string, ts: String(payload.ts) };
    this.sign(signedAt(payload.ts, receivedAt));
    this.dirty = true;
    return true;
  }

  /** The estate's `…/status` is unsigned: it may change the `online` shown, never the estate's silence. */
  status(payload: Payload): void {
    if (typeof payload.online === 'boolean') this.state.online = payload.online;
  }

  private sign(at: number): void {
    this.state.lastSignAt = Math.max(this.state.lastSignAt ?? 0, at);
  }

  private async settleNow(now: number, lateAfterMs: number): Promise<Settled> {
    this.dirty = false;
    const state = this.state;
    const explained = new Set([...seqsOf(state.explained), ...this.explainedByHeld()]);
    const promoted = await this.walkDown(now);
    for (const report of promoted) {
      this.verifiedAhead.set(report.seq, report);
      this.sign(signedAt(report.ts, report.receivedAt));
    }
    const newlyVerified = new Map(promoted.map((report) => [report.seq, report as Link]));
    for (;;) {
      const next = this.verifiedAhead.get(state.headSeq + 1);
      if (!next && !explained.has(state.headSeq + 1)) break;
      state.headSeq += 1;
      state.headHash = next?.hash ?? null;
      this.verifiedAhead.delete(state.headSeq);
    }
    const backfill = await this.backfill(explained, newlyVerified);
    for (const report of [...promoted, ...backfill]) explained.delete(report.seq);
    state.explained = toRanges([...explained].filter((seq) => !this.verifiedAhead.has(seq)));
    const top = Math.max(state.headSeq, state.checkpoint?.seq ?? 0, ...this.held.keys(), ...this.verifiedAhead.keys());
    const absent: number[] = [];
    for (let seq = state.headSeq + 1; seq <= top; seq += 1) if (!this.held.has(seq) && !this.verifiedAhead.has(seq) && !explained.has(seq)) absent.push(seq);
    state.missing = toRanges(absent);
    const stored = await this.store.promote(state, [...promoted, ...backfill], this.prefix, lateAfterMs);
    for (const report of [...promoted, ...backfill]) this.held.delete(report.seq);
    return { stored, wanted: [...state.missing, ...state.explained] };
  }

  /**
   * From the newest signed checkpoint down to the head: each held report whose
   * hash the report above it (or the checkpoint) names is the gateway's; the
   * others under that seq are not (`forged`). A hole stops the walk until it is
   * filled; a verified report resumes it with its own prev.
   */
  private async walkDown(now: number): Promise<ReceivedReport[]> {
    const state = this.state;
    const checkpoint = state.checkpoint;
    const promoted: ReceivedReport[] = [];
    let expected: string | undefined;
    const top = Math.max(checkpoint?.seq ?? 0, ...this.verifiedAhead.keys());
    for (let seq = top; seq > state.headSeq; seq -= 1) {
      if (checkpoint?.seq === seq) {
        await this.contradicts(seq, expected, checkpoint.hash, now);
        expected = checkpoint.hash;
      }
      const verified = this.verifiedAhead.get(seq);
      if (verified) await this.contradicts(seq, expected, verified.hash, now);
      const authentic = verified?.hash ?? expected;
      if (authentic === undefined) continue;
      const candidates = this.held.get(seq) ?? [];
      const match = candidates.find((report) => report.hash === authentic);
      for (const report of candidates) if (report !== match) await this.discard(report, 'forged', now);
      if (match && !verified) promoted.push(match);
      expected = verified?.prev ?? match?.prev;
    }
    if (state.headHash !== null) await this.contradicts(state.headSeq, expected, state.headHash, now);
    return promoted;
  }

  /** A signed chain that names another hash than the one verified at seq: the district's stored chain is contradicted. */
  private async contradicts(seq: number, expected: string | undefined, held: string, now: number): Promise<void> {
    if (expected !== undefined && expected !== held) await this.flag('checkpoint-mismatch', seq, `the signed chain names ${expected}, the district holds ${held}`, now);
  }

  /** Seqs named by the gap records held (their signatures verified on receipt). */
  private explainedByHeld(): number[] {
    const seqs: number[] = [];
    for (const [seq, reports] of this.held) {
      for (const report of reports) {
        if (report.topic !== `${this.prefix}/gap`) continue;
        const ranges = (JSON.parse(report.payload) as Payload).ranges;
        if (!Array.isArray(ranges)) continue;
        for (const range of ranges as Range[]) for (let shed = Math.max(range.from, this.state.headSeq + 1); shed <= range.to && shed < seq; shed += 1) seqs.push(shed);
      }
    }
    return seqs;
  }

  private async verifiedAt(seq: number): Promise<Link | undefined> {
    return seq <= this.state.headSeq ? this.store.linkAt(this.state.estate, seq) : this.verifiedAhead.get(seq);
  }

  /** Shed reports resent below the head: each is verified by the verified report after it linking to it. */
  private async backfill(explained: ReadonlySet<number>, newlyVerified: ReadonlyMap<number, Link>): Promise<ReceivedReport[]> {
    const accepted: ReceivedReport[] = [];
    const seqs = [...this.held.keys()].filter((seq) => seq <= this.state.headSeq).sort((a, b) => b - a);
    let after: { seq: number; prev: string } | undefined;
    for (const seq of seqs) {
      const reports = this.held.get(seq) ?? [];
      if (!explained.has(seq)) {
        // Neither verified nor shed below the head: a copy of nothing the district needs.
        this.held.delete(seq);
        for (const report of reports) await this.store.dropPending(this.state.estate, seq, report.hash);
        continue;
      }
      const link = after?.seq === seq + 1 ? after : (newlyVerified.get(seq + 1) ?? (await this.store.linkAt(this.state.estate, seq + 1)));
      const next = link ? { seq: seq + 1, prev: link.prev } : undefined;
      const report = next ? reports.find((candidate) => candidate.hash === next.prev) : undefined;
      if (report) {
        accepted.push(report);
        after = { seq, prev: report.prev };
      }
    }
    return accepted;
  }

  private hold(report: ReceivedReport): void {
    const reports = this.held.get(report.seq) ?? [];
    if (reports.length > 0 && !reports.some((other) => other.hash === report.hash)) void this.flag('conflict', report.seq, `${report.hash} beside ${reports[0]?.hash ?? ''}`, report.receivedAt);
    this.held.set(report.seq, [...reports, report]);
  }

  private async discard(report: ReceivedReport, kind: string, now: number): Promise<void> {
    await this.flag(kind, report.seq, report.hash, now);
    const rest = (this.held.get(report.seq) ?? []).filter((other) => other !== report);
    if (rest.length > 0) this.held.set(report.seq, rest);
    else this.held.delete(report.seq);
    await this.store.dropPending(this.state.estate, report.seq, report.hash);
  }

  async flag(kind: string, seq: number | null, detail: string | null, at: number): Promise<void> {
    // A report is late once: a copy the broker delivers again reads a second or two later in its detail, and a
    // full run on PostgreSQL still saw two late findings for one report (one copy was taken as new while the
    // first was being settled).
    const key = kind === 'late' ? `late:${seq ?? ''}` : `${kind}:${seq ?? ''}:${detail ?? ''}`;
    if (this.noted.has(key)) return;
    this.noted.add(key);
    await this.note({ estate: this.state.estate, kind, seq, detail, at });
  }
}
