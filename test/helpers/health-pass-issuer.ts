import { generateKeyPairSync, sign } from 'node:crypto';
import type { Clock } from '../../src/core/clock.js';
import { HEALTH_PASS_PREFIX, type HealthPassPayload } from '../../src/core/health-pass.js';
import type { TrustList } from '../../src/core/trust-list.js';

/**
 * A health authority for tests: issues `HP1:` passes signed with a fresh
 * Ed25519 key (docs/design.md, "Credentials"), and can break them on purpose.
 */

/** Payload fields to set, or to drop with `undefined`; values may be deliberately invalid. */
export type PayloadOverrides = { [K in keyof HealthPassPayload]?: unknown } & Record<string, unknown>;

export interface IssueOptions {
  /** Flip one bit of the signature: right length, does not verify. */
  tamperSignature?: boolean;
  /** Ship what this makes of the real signature instead (e.g. truncate it). */
  signature?: (real: Buffer) => Buffer;
  /** Fields changed after signing: the signature covers the payload as it was before. */
  tamperPayload?: PayloadOverrides;
}

export interface TestIssuer {
  kid: string;
  /** Raw 32-byte Ed25519 public key, base64url: the trust-list form. */
  publicKey: string;
  /** Signs the default payload (green, issued a minute ago, valid for an hour) with the overrides applied. */
  issue(overrides?: PayloadOverrides, options?: IssueOptions): string;
  /** Signs payload text exactly as given (a payload JSON.stringify would not write). */
  issueText(payload: string): string;
}

/** `HP1:` + base64url(payload bytes) + `.` + base64url(signature). */
export function encodePass(payloadBytes: Buffer, signature: Buffer): string {
  return `${HEALTH_PASS_PREFIX}${payloadBytes.toString('base64url')}.${signature.toString('base64url')}`;
}

/** `now` dates the default `iat` and `exp`; tests of the pure core pass a fixed clock. */
export function createIssuer(kid: string, clock: Clock = { now: () => Date.now() }): TestIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'jwk' }).x;
  if (raw === undefined) throw new Error('node exported no raw Ed25519 public key');

  const issue = (overrides: PayloadOverrides = {}, options: IssueOptions = {}): string => {
    const nowS = Math.floor(clock.now() / 1000);
    const signed = { v: 1, kid, sub: 'subject-1', col: 'green', iat: nowS - 60, exp: nowS + 3600, ...overrides };
    const real = sign(null, Buffer.from(JSON.stringify(signed)), privateKey);
    const signature = options.signature ? options.signature(real) : real;
    if (options.tamperSignature) signature[0] = (signature[0] ?? 0) ^ 0x01;
    const shipped = options.tamperPayload ? { ...signed, ...options.tamperPayload } : signed;
    return encodePass(Buffer.from(JSON.stringify(shipped)), signature);
  };

  const issueText = (payload: string) => encodePass(Buffer.from(payload), sign(null, Buffer.from(payload), privateKey));
  return { kid, publicKey: raw, issue, issueText };
}

/** A trust list holding the issuers' keys; never stale unless told otherwise. */
export function trustListOf(issuers: ReadonlyArray<Pick<TestIssuer, 'kid' | 'publicKey'>>, options: Partial<Omit<TrustList, 'issuers'>> = {}): TrustList {
  return {
    issuers: Object.fromEntries(issuers.map((issuer) => [issuer.kid, issuer.publicKey])),
    refreshedAt: options.refreshedAt ?? 0,
    maxAgeMs: options.maxAgeMs === undefined ? null : options.maxAgeMs,
  };
}
