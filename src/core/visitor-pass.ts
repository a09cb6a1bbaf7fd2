import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Visitor pass QR tokens (docs/rules.md): `VP1:` + base64url(JSON `{pid, sub}`)
 * + `.` + base64url(HMAC-SHA-256 of the decoded payload bytes under the
 * estate's visitor key, first 16 bytes). The token names the visitor by their
 * health-pass subject, so lists, trail and contacts find them either way; the
 * gate still looks the pass id up for its window, plate and revocation.
 */

const VISITOR_PASS_PREFIX = 'VP1:';
const TAG_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export interface VisitorToken {
  passId: string;
  subject: string;
}

export function isVisitorPass(code: string): boolean {
  return code.startsWith(VISITOR_PASS_PREFIX);
}

export function issueVisitorPass(token: VisitorToken, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify({ pid: token.passId, sub: token.subject }));
  return `${VISITOR_PASS_PREFIX}${payload.toString('base64url')}.${tag(payload, key).toString('base64url')}`;
}

/** The token's pass and subject, or `undefined` when it is malformed or its tag does not verify. */
export function verifyVisitorPass(code: string, key: Buffer): VisitorToken | undefined {
  const parts = code.slice(VISITOR_PASS_PREFIX.length).split('.');
  if (parts.length !== 2 || !parts.every((part) => BASE64URL.test(part))) return undefined;
  const payload = Buffer.from(parts[0] as string, 'base64url');
  const given = Buffer.from(parts[1] as string, 'base64url');
  if (given.length !== TAG_BYTES || !timingSafeEqual(given, tag(payload, key))) return undefined;
  try {
    const json = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    if (typeof json.pid !== 'string' || typeof json.sub !== 'string' || json.pid.length === 0 || json.sub.length === 0) return undefined;
    return { passId: json.pid, subject: json.sub };
  } catch {
    return undefined;
  }
}

function tag(payload: Buffer, key: Buffer): Buffer {
  return createHmac('sha256', key).update(payload).digest().subarray(0, TAG_BYTES);
}
