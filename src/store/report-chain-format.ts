import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson, ed25519PrivateKey } from '../contract/signature.js';

/**
 * The verifiable report stream (docs/district.md; issue 15: 不得瞒报、迟报、漏报).
 * Pure functions shared by the gateway, which stamps every report, and the
 * district, which checks them (src/district/verify-stream.ts).
 *
 * Canonical form of a report: its JSON payload as published, without `hash`
 * and `prev`, serialised with object keys sorted at every level and no
 * whitespace, UTF-8 (the same canonical JSON the command signatures use).
 * `seq` (and `sig` on a gap record) is part of it, so a report cannot be
 * renumbered without breaking its own link.
 *
 * Link: hash = SHA-256(prev ‖ canonical), where prev is the previous report's
 * hash as 32 raw bytes; both are carried in the payload as lowercase hex. The
 * first report links to 64 zeros.
 */
export const GENESIS_HASH = '0'.repeat(64);

export type Payload = Record<string, unknown>;

export function canonicalReport(payload: Payload): string {
  const { hash: _hash, prev: _prev, ...rest } = payload;
  return canonicalJson(rest);
}

export function linkHash(prev: string, payload: Payload): string {
  return createHash('sha256').update(Buffer.from(prev, 'hex')).update(canonicalReport(payload), 'utf8').digest('hex');
}

/** Who signs gap records and checkpoints: the gateway key (secrets.gatewayKey). */
export interface ReportSigner {
  kid: string;
  sign(payload: Payload): string;
}

/**
 * The bytes a `sig` covers: the canonical form without `sig`, and on a chained
 * record (a gap record: it has `prev`) without `hash` and `prev`, which are
 * added after signing. A checkpoint's `hash` is its content and is signed.
 */
export function signedReportBytes(payload: Payload): Buffer {
  const { sig: _sig, ...rest } = payload;
  if (!('prev' in rest)) return Buffer.from(canonicalJson(rest), 'utf8');
  const { hash: _hash, prev: _prev, ...content } = rest;
  return Buffer.from(canonicalJson(content), 'utf8');
}

export function reportSigner(pair: { kid: string; privateKey: string }): ReportSigner {
  const key = ed25519PrivateKey(pair.privateKey);
  return { kid: pair.kid, sign: (payload) => sign(null, signedReportBytes(payload), key).toString('base64url') };
}

export function verifyReportSignature(payload: Payload, key: KeyObject): boolean {
  if (typeof payload.sig !== 'string') return false;
  try {
    return verify(null, signedReportBytes(payload), key, Buffer.from(payload.sig, 'base64url'));
  } catch {
    return false;
  }
}

/**
 * Gives a payload its place in the chain: `seq`, then (for a signed record) `kid`
 * and `sig`, then `prev` and `hash`. Returns the JSON as it is published and kept.
 */
export function stampReport(body: Payload, seq: number, prev: string, signer?: ReportSigner): { payload: string; hash: string } {
  const { seq: _s, hash: _h, prev: _p, ...rest } = body;
  let stamped: Payload = { ...rest, seq };
  if (signer) {
    const unsigned = { ...stamped, kid: signer.kid, sig: undefined };
    stamped = { ...unsigned, sig: signer.sign(unsigned) };
  }
  const hash = linkHash(prev, stamped);
  return { payload: JSON.stringify({ ...stamped, prev, hash }), hash };
}

/** Sorted, distinct sequence numbers as inclusive ranges: [1,2,3,7] → [{from:1,to:3},{from:7,to:7}]. */
export function toRanges(seqs: readonly number[]): Array<{ from: number; to: number }> {
  const sorted = [...new Set(seqs)].sort((a, b) => a - b);
  const ranges: Array<{ from: number; to: number }> = [];
  for (const seq of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && seq === last.to + 1) last.to = seq;
    else ranges.push({ from: seq, to: seq });
  }
  return ranges;
}
