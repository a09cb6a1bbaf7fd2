import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Credential, CodeColour } from './credential.js';
import type { ReasonCode } from './reasons.js';
import type { TrustList } from './trust-list.js';
import { hasDuplicateKeys } from './json-duplicate-keys.js';

/**
 * Offline verification of `HP1:` health passes (docs/design.md, "Credentials"):
 * `HP1:` + base64url(payload JSON) + `.` + base64url(Ed25519 signature over the
 * decoded payload bytes exactly as issued). Signature, issuer and validity are
 * reported as problems, never thrown, so every refusal carries its reason.
 */

export const HEALTH_PASS_PREFIX = 'HP1:';

/** Tolerated clock skew between issuer and gate for `iat`. */
const ISSUED_AT_SKEW_S = 300;

export interface HealthPassPayload {
  v: 1;
  kid: string;
  sub: string;
  col: CodeColour;
  iat: number;
  exp: number;
  test?: { at: number; result: 'negative' | 'positive' };
  origin?: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const COLOURS: readonly string[] = ['green', 'yellow', 'red'];

export function isHealthPass(code: string): boolean {
  return code.startsWith(HEALTH_PASS_PREFIX);
}

/** Parses and verifies a health pass against the trust list at time `now` (ms). */
export function readHealthPass(code: string, trust: TrustList, now: number): Credential {
  const parsed = parse(code);
  if (!parsed) return { kind: 'unreadable', problems: ['CODE_MALFORMED'] };
  const { payload, payloadBytes, signature } = parsed;

  const problems: ReasonCode[] = [];
  // Own keys only: a kid such as `constructor` must not find Object.prototype's members.
  const issuerKey = Object.hasOwn(trust.issuers, payload.kid) ? trust.issuers[payload.kid] : undefined;
  if (issuerKey === undefined) {
    problems.push('CODE_UNKNOWN_ISSUER');
  } else if (!signatureValid(issuerKey, code, payloadBytes, signature)) {
    problems.push('CODE_BAD_SIGNATURE');
  }
  const nowS = now / 1000;
  if (payload.exp <= nowS || payload.iat > nowS + ISSUED_AT_SKEW_S) problems.push('CODE_EXPIRED');

  return {
    kind: 'health-pass',
    subject: { kind: 'health-pass', id: payload.sub },
    colour: payload.col,
    issuer: payload.kid,
    expiresAt: payload.exp * 1000,
    // Hash the decoded bytes, not the text: base64url's spare low bits let one payload be written several ways.
    fingerprint: createHash('sha256').update(payloadBytes).digest('hex').slice(0, 32),
    ...(payload.test ? { test: { at: payload.test.at * 1000, result: payload.test.result } } : {}),
    ...(payload.origin ? { origin: payload.origin } : {}),
    problems,
  };
}

interface ParsedPass {
  payload: HealthPassPayload;
  payloadBytes: Buffer;
  signature: Buffer;
}

function parse(code: string): ParsedPass | undefined {
  if (!isHealthPass(code)) return undefined;
  const parts = code.slice(HEALTH_PASS_PREFIX.length).split('.');
  if (parts.length !== 2) return undefined;
  const [encodedPayload, encodedSignature] = parts as [string, string];
  if (!BASE64URL.test(encodedPayload) || !BASE64URL.test(encodedSignature)) return undefined;
  const payloadBytes = Buffer.from(encodedPayload, 'base64url');
  const text = payloadBytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isPayload(json) || hasDuplicateKeys(text)) return undefined;
  return { payload: json, payloadBytes, signature: Buffer.from(encodedSignature, 'base64url') };
}

function isPayload(value: unknown): value is HealthPassPayload {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return (
    p.v === 1 &&
    typeof p.kid === 'string' &&
    typeof p.sub === 'string' &&
    p.sub.length > 0 &&
    typeof p.col === 'string' &&
    COLOURS.includes(p.col) &&
    // Safe integers: 1e308 is an integer to JavaScript, and a pass valid until then is no pass (found from outside).
    Number.isSafeInteger(p.iat) &&
    Number.isSafeInteger(p.exp) &&
    (p.test === undefined || isTest(p.test)) &&
    (p.origin === undefined || (typeof p.origin === 'string' && /^\d{6}$/.test(p.origin)))
  );
}

function isTest(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const t = value as Record<string, unknown>;
  return Number.isSafeInteger(t.at) && (t.result === 'negative' || t.result === 'positive');
}

const keyCache = new Map<string, KeyObject | null>();

/** The trust list holds raw 32-byte keys (base64url); node reads them as an OKP JWK. */
function publicKey(raw: string): KeyObject | null {
  let key = keyCache.get(raw);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw }, format: 'jwk' });
    } catch {
      key = null;
    }
    keyCache.set(raw, key);
  }
  return key;
}

/**
 * Recent verdicts, by issuer key and pass text. A lane reads a pass at the scan and again at the decision
 * (lane-machine.ts, readAgain: a revocation while the person waits counts), and Ed25519 verification costs
 * 0.11 ms each time (issue 14). The verdict of the same bytes under the same key cannot change.
 */
const recentVerdicts = new Map<string, boolean>();
const RECENT_VERDICTS = 256;

function signatureValid(rawKey: string, code: string, payload: Buffer, signature: Buffer): boolean {
  const memo = `${rawKey} ${code}`;
  const known = recentVerdicts.get(memo);
  if (known !== undefined) return known;
  const key = publicKey(rawKey);
  const valid = key !== null && signature.length === 64 && verify(null, payload, key, signature);
  if (recentVerdicts.size >= RECENT_VERDICTS) recentVerdicts.delete(recentVerdicts.keys().next().value as string);
  recentVerdicts.set(memo, valid);
  return valid;
}
