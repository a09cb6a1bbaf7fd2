import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH, toRanges, type Payload } from '../store/report-chain-format.js';
import type { EstateState, Finding, ReceivedReport, ReportStore } from './report-store.js';
import { verifyCheckpoint, verifyStream, type Range } from './verify-stream.js';

/** What one settle found: reports now stored as verified, and the ranges to ask cmd/resend for. */
export interface Settled {
  stored: ReceivedReport[];
  /** Neither received nor explained, then shed (explained) ones to backfill, then ambiguous ones. */
  wanted: Range[];
}

export type ReceiveOutcome = 'held' | 'duplicate' | 'rejected';

const seqsOf = (ranges: readonly Range[]) => ranges.flatMap((range) => Array.from({ length: range.to - range.from + 1 }, (_, i) => range.from + i));

/**
 * One estate's report stream at the district (docs/district.md, "The district
 * receiver"). A report that passes its own hash is held (and kept in the
 * store's pending table, so a restart loses it not); it is stored as verified
 * once it links to the verified head and is vouched for, by the report after
 * it linking to it or by a signed checkpoint naming it. A forged report with a
 * correct link therefore never reaches the verified store: the genuine one
 * after it does not link to it. The checks themselves are verify-stream.ts.
 */
export class EstateTracker {
  /** Held reports by seq; two entries under one seq are a conflict until a link or a checkpoint decides. */
  private readonly held = new Map<number, ReceivedReport[]>();
  /** Findings already recorded, so a settle that sees the same thing again does not repeat it. */
  private readonly noted = new Set<string>();
  private ambiguous: Range[] = [];
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
  }

  pendingCount(): number {
    let count = 0;
    for (const reports of this.held.values()) count += reports.length;
    return count;
  }

  /** A chained report as received. `backfilled`: it is in a range we asked cmd/resend for. */
  async receive(payload: Payload, raw: string, topic: string, receivedAt: number, backfilled: boolean, limits: { maxPending: number; lateAfterMs: number }): Promise<ReceiveOutcome> {
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
    if (seq <= this.state.headSeq) {
      const stored = await this.store.linkAt(estate, seq);
      if (stored) {
        if (stored.hash !== report.hash) await this.flag('conflict', seq, `${report.hash} differs from the verified ${stored.hash}`, receivedAt);
        return stored.hash === report.hash ? 'duplicate' : 'rejected';
      }
    }
    if ((this.held.get(seq) ?? []).some((other) => other.hash === report.hash)) return 'duplicate';
    if (seq > this.state.headSeq && this.pendingCount() >= limits.maxPending) return 'rejected';
    // 迟报: the event happened long before the district heard of it (a resend's delay is the gap's, not the estate's).
    const delayMs = report.ts === null ? NaN : receivedAt - Date.parse(report.ts);
    if (!backfilled && delayMs > limits.lateAfterMs) await this.flag('late', seq, `${topic} arrived ${Math.round(delayMs / 1000)} s after its event`, receivedAt);
    this.hold(report);
    await this.store.addPending(report);
    this.dirty = true;
    return 'held';
  }

  /** A checkpoint `{seq, hash, ts, kid, sig}`: verified with the registered key against what is held. */
  async checkpoint(payload: Payload, receivedAt: number, retained: boolean): Promise<boolean> {
    const seq = typeof payload.seq === 'number' ? payload.seq : -1;
    const stored = seq > 0 ? (await this.store.linkAt(this.state.estate, seq))?.hash : undefined;
    const candidates = this.held.get(seq) ?? [];
    const heldHash = stored ?? (candidates.find((report) => report.hash === payload.hash) ?? candidates[0])?.hash;
    const findings = verifyCheckpoint(payload, this.key, () => heldHash);
    if (findings.length > 0) {
      for (const finding of findings) await this.flag(finding.kind, seq, `checkpoint ${String(payload.id)}`, receivedAt);
      return false;
    }
    if (!this.state.checkpoint || seq >= this.state.checkpoint.seq) this.state.checkpoint = { seq, hash: payload.hash as string, ts: String(payload.ts) };
    this.sign(typeof payload.ts === 'string' ? Date.parse(payload.ts) : NaN, receivedAt, retained);
    this.dirty = true;
    return true;
  }

  status(payload: Payload, receivedAt: number, retained: boolean): void {
    if (typeof payload.online === 'boolean') this.state.online = payload.online;
    this.sign(typeof payload.ts === 'string' ? Date.parse(payload.ts) : NaN, receivedAt, retained);
  }

  /**
   * A sign of life: a live message counts from its arrival; a retained one
   * (served on subscribe, possibly hours old) from its own time, never later than it arrived.
   */
  private sign(ts: number, receivedAt: number, retained: boolean): void {
    const at = retained ? Math.min(Number.isFinite(ts) ? ts : 0, receivedAt) : receivedAt;
    this.state.lastSignAt = Math.max(this.state.lastSignAt ?? 0, at);
  }

  /** Verifies what is held from the head on, stores what is vouched for, and says what to ask for. */
  async settle(now: number, lateAfterMs: number): Promise<Settled> {
    this.dirty = false;
    const state = this.state;
    const selected = this.select();
    const first = selected.find((report) => report.seq === state.headSeq + 1);
    // Across a shed report the link cannot be checked (verify-stream.ts does the same).
    const start = { seq: state.headSeq, hash: state.headHash ?? first?.prev ?? GENESIS_HASH };
    const verdict = verifyStream(
      selected.map((report) => JSON.parse(report.payload) as Payload),
      { key: this.key, start },
    );
    const bySeq = new Map(selected.map((report) => [report.seq, report]));
    this.ambiguous = [];
    for (const finding of verdict.findings) {
      if (finding.kind !== 'broken-link') continue;
      // The report after the verified head does not link to it: it is not the gateway's. Otherwise either side may be.
      const report = bySeq.get(finding.seq);
      if (report && finding.seq === state.headSeq + 1 && state.headHash !== null) await this.discard(report, 'broken-link', now);
      else if (report) {
        await this.flag('broken-link', finding.seq, report.hash, now);
        this.ambiguous.push({ from: finding.seq - 1, to: finding.seq });
      }
    }
    const top = verdict.contiguousTo;
    const last = bySeq.get(top);
    const checkpoint = state.checkpoint;
    // The newest of a contiguous run is vouched for by a checkpoint naming it; otherwise it waits for the next report.
    const vouchedTo = !last || (checkpoint && checkpoint.seq === top && checkpoint.hash === last.hash) ? top : top - 1;
    const promoted = selected.filter((report) => report.seq > state.headSeq && report.seq <= vouchedTo);
    const explained = new Set([...seqsOf(state.explained), ...seqsOf(verdict.explained)]);
    if (vouchedTo > state.headSeq) {
      state.headHash = bySeq.get(vouchedTo)?.hash ?? null;
      state.headSeq = vouchedTo;
    }
    const backfill = await this.backfill(explained);
    for (const report of [...promoted, ...backfill]) explained.delete(report.seq);
    state.explained = toRanges([...explained]);
    const highest = Math.max(state.headSeq, ...this.held.keys());
    state.missing = toRanges([...seqsOf(verdict.missing), ...(checkpoint && checkpoint.seq > highest ? seqsOf([{ from: highest + 1, to: checkpoint.seq }]) : [])]);
    const stored = await this.store.promote(state, [...promoted, ...backfill], this.prefix, lateAfterMs);
    for (const report of [...promoted, ...backfill]) this.held.delete(report.seq);
    return { stored, wanted: [...state.missing, ...state.explained, ...this.ambiguous] };
  }

  /**
   * One report per seq beyond the head, for verify-stream. Of two under one seq,
   * the one a checkpoint names or the next report links to; the other is not the gateway's.
   */
  private select(): ReceivedReport[] {
    const selected: ReceivedReport[] = [];
    const seqs = [...this.held.keys()].filter((seq) => seq > this.state.headSeq).sort((a, b) => a - b);
    for (const seq of seqs) {
      const reports = this.held.get(seq) ?? [];
      if (reports.length === 1) {
        selected.push(reports[0] as ReceivedReport);
        continue;
      }
      const next = this.held.get(seq + 1) ?? [];
      const chosen = reports.filter((report) => (this.state.checkpoint?.seq === seq && this.state.checkpoint.hash === report.hash) || next.some((after) => after.prev === report.hash));
      // Undecided: neither is used, the seq counts as missing and is asked for again.
      if (chosen.length === 1) selected.push(chosen[0] as ReceivedReport);
    }
    return selected;
  }

  /** Shed reports resent below the head: each is vouched for by the verified report after it linking to it. */
  private async backfill(explained: ReadonlySet<number>): Promise<ReceivedReport[]> {
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
      const next = after?.seq === seq + 1 ? after : await this.store.linkAt(this.state.estate, seq + 1).then((link) => (link ? { seq: seq + 1, prev: link.prev } : undefined));
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
    const key = `${kind}:${seq ?? ''}:${detail ?? ''}`;
    if (this.noted.has(key)) return;
    this.noted.add(key);
    await this.note({ estate: this.state.estate, kind, seq, detail, at });
  }
}
