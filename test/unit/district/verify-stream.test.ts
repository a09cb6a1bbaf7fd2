import { describe, expect, it } from 'vitest';
import { ed25519PublicKey } from '../../../src/contract/signature.js';
import { verifyCheckpoint, verifyStream } from '../../../src/district/verify-stream.js';
import { GENESIS_HASH, reportSigner, stampReport, type Payload } from '../../../src/store/report-chain-format.js';
import { generateEd25519 } from '../../../src/secrets.js';

const pair = generateEd25519('gateway-test');
const signer = reportSigner(pair);
const key = ed25519PublicKey(pair.publicKey);
const otherSigner = reportSigner(generateEd25519('gateway-other'));

/** A stream as the gateway stamps it: `bodies[i]` gets seq i + 1; a body with `ranges` is signed like a gap record. */
function stream(bodies: Payload[], by = signer): Payload[] {
  let prev = GENESIS_HASH;
  return bodies.map((body, i) => {
    const { payload, hash } = stampReport(body, i + 1, prev, body.ranges ? by : undefined);
    prev = hash;
    return JSON.parse(payload) as Payload;
  });
}

const passages = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `p-${i + 1}`, ts: '2024-01-01T00:00:00.000Z', v: 1, gate: 'main', verdict: 'grant' }));

describe('verifyStream', () => {
  it('accepts a whole stream in any arrival order', () => {
    const reports = stream(passages(5));
    const verdict = verifyStream([reports[3], reports[0], reports[4], reports[2], reports[1]] as Payload[], { key });
    expect(verdict).toEqual({ contiguousTo: 5, missing: [], explained: [], duplicates: 0, findings: [] });
  });

  it('names a missing report, and resumes from the last verified one', () => {
    const reports = stream(passages(6));
    const verdict = verifyStream(reports.filter((r) => r.seq !== 3 && r.seq !== 4), { key });
    expect(verdict.missing).toEqual([{ from: 3, to: 4 }]);
    expect(verdict.contiguousTo).toBe(2);
    const later = verifyStream(reports.slice(2), { key, start: { seq: 2, hash: reports[1]!.hash as string } });
    expect(later).toMatchObject({ contiguousTo: 6, missing: [], findings: [] });
  });

  it('counts duplicates and drops them', () => {
    const reports = stream(passages(3));
    expect(verifyStream([...reports, reports[1]!, reports[2]!], { key })).toMatchObject({ contiguousTo: 3, duplicates: 2, findings: [] });
  });

  it('detects a tampered report (its content changed on the way)', () => {
    const reports = stream(passages(3));
    const tampered = [reports[0]!, { ...reports[1]!, verdict: 'deny' }, reports[2]!];
    const verdict = verifyStream(tampered, { key });
    expect(verdict.findings).toContainEqual({ kind: 'tampered', seq: 2 });
    expect(verdict.missing).toEqual([{ from: 2, to: 2 }]);
  });

  it('detects reordered reports re-stamped to look valid (seq swapped, hash recomputed)', () => {
    const reports = stream(passages(3));
    // An intermediary swaps reports 2 and 3, renumbering each and recomputing its own hash on the old prev.
    const swap = (report: Payload, seq: number) => JSON.parse(stampReport({ ...report, hash: undefined, prev: undefined }, seq, report.prev as string).payload) as Payload;
    const verdict = verifyStream([reports[0]!, swap(reports[2]!, 2), swap(reports[1]!, 3)], { key });
    expect(verdict.findings.some((f) => f.kind === 'broken-link')).toBe(true);
  });

  it('detects a removed report hidden by renumbering the rest', () => {
    const reports = stream(passages(4));
    const renumbered = stream([reports[0]!, reports[2]!, reports[3]!].map(({ seq: _s, prev: _p, hash: _h, ...body }) => body));
    // The renumbered stream links up on its own; the forger cannot sign a checkpoint for it…
    expect(verifyStream(renumbered, { key }).missing).toEqual([]);
    // …a checkpoint of the real chain at seq 3 names a hash the renumbered stream does not hold.
    const at3 = { id: 'c3', ts: 'x', v: 1, seq: 3, hash: reports[2]!.hash, kid: signer.kid };
    expect(verifyCheckpoint({ ...at3, sig: signer.sign(at3) }, key, (seq) => renumbered.find((r) => r.seq === seq)?.hash as string | undefined)).toEqual([{ kind: 'checkpoint-mismatch', seq: 3 }]);
  });

  it('flags two different reports with one seq', () => {
    const a = stream(passages(2));
    const b = stream([{ id: 'x', ts: 't', v: 1 }, { id: 'y', ts: 't', v: 1 }]);
    expect(verifyStream([...a, b[1]!], { key }).findings).toContainEqual({ kind: 'conflict', seq: 2 });
  });

  it('a signed gap record explains the shed range; a forged one does not', () => {
    const bodies: Payload[] = [...passages(4), { id: 'g', ts: 't', v: 1, reason: 'outbox-full', outbox: 'outbox', ranges: [{ from: 2, to: 3 }], count: 2 }];
    const reports = stream(bodies);
    const received = reports.filter((r) => r.seq !== 2 && r.seq !== 3);
    expect(verifyStream(received, { key })).toMatchObject({ missing: [], explained: [{ from: 2, to: 3 }], contiguousTo: 5, findings: [] });
    const forged = stream(bodies, otherSigner).filter((r) => r.seq !== 2 && r.seq !== 3);
    const verdict = verifyStream(forged, { key });
    expect(verdict.findings).toContainEqual({ kind: 'bad-signature', seq: 5 });
    expect(verdict.missing).toEqual([{ from: 2, to: 3 }]);
  });

  it('flags a payload without chain fields', () => {
    expect(verifyStream([{ id: 'old', ts: 't', v: 1 }], { key }).findings).toEqual([{ kind: 'unsequenced', id: 'old' }]);
  });
});

describe('verifyCheckpoint', () => {
  const reports = stream(passages(2));
  const checkpoint = (hash: unknown) => {
    const unsigned = { id: 'c', ts: '2024-01-01T00:00:00.000Z', v: 1, seq: 2, hash, kid: signer.kid };
    return { ...unsigned, sig: signer.sign(unsigned) };
  };
  const held = (seq: number) => reports.find((r) => r.seq === seq)?.hash as string | undefined;

  it('verifies with the exported key and matches the held chain', () => {
    expect(verifyCheckpoint(checkpoint(reports[1]!.hash), key, held)).toEqual([]);
  });

  it('refuses a checkpoint whose hash was changed after signing, or signed by another key', () => {
    expect(verifyCheckpoint({ ...checkpoint(reports[1]!.hash), hash: reports[0]!.hash }, key, held)).toEqual([{ kind: 'bad-signature', seq: 2 }]);
    const other = { id: 'c', ts: 't', v: 1, seq: 2, hash: reports[1]!.hash, kid: 'x' };
    expect(verifyCheckpoint({ ...other, sig: otherSigner.sign(other) }, key, held)).toEqual([{ kind: 'bad-signature', seq: 2 }]);
  });

  it('flags a validly signed checkpoint that disagrees with the held report', () => {
    expect(verifyCheckpoint(checkpoint(reports[0]!.hash), key, held)).toEqual([{ kind: 'checkpoint-mismatch', seq: 2 }]);
  });
});
