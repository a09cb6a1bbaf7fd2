import type { KeyObject } from 'node:crypto';
import { GENESIS_HASH, linkHash, toRanges, verifyReportSignature, type Payload } from '../store/report-chain-format.js';

/**
 * What a district checks of one gateway's report stream (docs/district.md,
 * "What completeness guarantees"). Pure functions: reports in, findings out,
 * in any arrival order; the receiver keeps the state between calls.
 */

export type Range = { from: number; to: number };

export type Finding =
  /** The report's own hash does not match its content: changed on the way. */
  | { kind: 'tampered'; seq: number }
  /** Its prev is not the hash of the report before: reordered, renumbered or forged. */
  | { kind: 'broken-link'; seq: number }
  /** Two different reports with the same seq. */
  | { kind: 'conflict'; seq: number }
  /** A gap record or checkpoint whose signature does not verify with the registered key. */
  | { kind: 'bad-signature'; seq: number }
  /** A payload without a valid seq/prev/hash. */
  | { kind: 'unsequenced'; id: string | undefined }
  /** A checkpoint that names a hash other than the one the district holds for its seq. */
  | { kind: 'checkpoint-mismatch'; seq: number };

export interface StreamVerdict {
  /** The last seq up to which everything is present or explained, with its hash (when present). */
  contiguousTo: number;
  /** Sequence numbers neither received nor named by a signed gap record: ask cmd/resend for them. */
  missing: Range[];
  /** Sequence numbers named by a verified gap record (and not received since). */
  explained: Range[];
  /** Copies of a report already held (at-least-once delivery, resends): dropped. */
  duplicates: number;
  findings: Finding[];
}

/** Where the stream starts for this check: 0 and 64 zeros for a new gateway, else the last verified report. */
export interface StreamStart {
  seq: number;
  hash: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

function isChained(payload: Payload): payload is Payload & { seq: number; prev: string; hash: string } {
  return Number.isSafeInteger(payload.seq) && (payload.seq as number) >= 1 && typeof payload.prev === 'string' && HEX64.test(payload.prev) && typeof payload.hash === 'string' && HEX64.test(payload.hash);
}

/** A gap record is a report on `…/gap` with `ranges` and a signature. */
function isGapRecord(payload: Payload): boolean {
  return Array.isArray(payload.ranges) && typeof payload.sig === 'string' && payload.reason !== undefined;
}

type Chained = Payload & { seq: number; prev: string; hash: string };

/**
 * Verifies a batch of parsed payloads of one gateway (arrival order does not
 * matter): each link, seq contiguity from `start`, gap records' signatures.
 * A report that fails its own hash is dropped, so the seq it claims shows as missing too.
 */
export function verifyStream(payloads: readonly Payload[], options: { key: KeyObject; start?: StreamStart }): StreamVerdict {
  const start = options.start ?? { seq: 0, hash: GENESIS_HASH };
  const { bySeq, duplicates, findings } = collect(payloads, start);
  const explainedSeqs = explainedBy(bySeq, options.key, start, findings);
  const top = Math.max(start.seq, ...bySeq.keys());
  const absent: number[] = [];
  let contiguousTo = start.seq;
  let contiguous = true;
  let prevHash: string | undefined = start.hash;
  for (let seq = start.seq + 1; seq <= top; seq += 1) {
    const report = bySeq.get(seq);
    if (!report) {
      absent.push(seq);
      if (!explainedSeqs.has(seq)) contiguous = false;
      else if (contiguous) contiguousTo = seq;
      prevHash = undefined;
      continue;
    }
    // Across a hole the link cannot be checked; it is checked once the hole is filled.
    if (prevHash !== undefined && report.prev !== prevHash) {
      findings.push({ kind: 'broken-link', seq });
      contiguous = false;
    }
    if (contiguous) contiguousTo = seq;
    prevHash = report.hash;
  }
  return {
    contiguousTo,
    missing: toRanges(absent.filter((seq) => !explainedSeqs.has(seq))),
    explained: toRanges(absent.filter((seq) => explainedSeqs.has(seq))),
    duplicates,
    findings,
  };
}

/** One report per seq beyond the start: each checked against its own hash; copies counted, conflicting ones flagged. */
function collect(payloads: readonly Payload[], start: StreamStart): { bySeq: Map<number, Chained>; duplicates: number; findings: Finding[] } {
  const findings: Finding[] = [];
  const bySeq = new Map<number, Chained>();
  let duplicates = 0;
  for (const payload of payloads) {
    if (!isChained(payload)) {
      findings.push({ kind: 'unsequenced', id: typeof payload.id === 'string' ? payload.id : undefined });
      continue;
    }
    if (linkHash(payload.prev, payload) !== payload.hash) {
      findings.push({ kind: 'tampered', seq: payload.seq });
      continue;
    }
    if (payload.seq <= start.seq) {
      duplicates += 1;
      continue;
    }
    const held = bySeq.get(payload.seq);
    if (held) {
      if (held.hash === payload.hash) duplicates += 1;
      else findings.push({ kind: 'conflict', seq: payload.seq });
      continue;
    }
    bySeq.set(payload.seq, payload);
  }
  return { bySeq, duplicates, findings };
}

/** The seqs named by gap records whose signature verifies (a bad one is a finding and explains nothing). */
function explainedBy(bySeq: ReadonlyMap<number, Chained>, key: KeyObject, start: StreamStart, findings: Finding[]): Set<number> {
  const explained = new Set<number>();
  for (const report of bySeq.values()) {
    if (!isGapRecord(report)) continue;
    if (!verifyReportSignature(report, key)) {
      findings.push({ kind: 'bad-signature', seq: report.seq });
      continue;
    }
    for (const range of report.ranges as Range[]) for (let seq = Math.max(range.from, start.seq + 1); seq <= range.to && seq < report.seq; seq += 1) explained.add(seq);
  }
  return explained;
}

/**
 * A checkpoint `{seq, hash, ts, kid, sig}`: its signature, and, when the
 * district holds the report with that seq, the same hash. Returns the findings (empty: it verifies).
 */
export function verifyCheckpoint(checkpoint: Payload, key: KeyObject, hashAt: (seq: number) => string | undefined): Finding[] {
  const seq = typeof checkpoint.seq === 'number' ? checkpoint.seq : -1;
  if (!verifyReportSignature(checkpoint, key)) return [{ kind: 'bad-signature', seq }];
  const held = seq === 0 ? GENESIS_HASH : hashAt(seq);
  return held !== undefined && held !== checkpoint.hash ? [{ kind: 'checkpoint-mismatch', seq }] : [];
}
