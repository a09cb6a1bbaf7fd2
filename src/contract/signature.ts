import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Command signatures: Ed25519 (RFC 8032) over the canonical form of the body
 * without `sig`: JSON with object keys sorted at every level and no
 * whitespace, UTF-8 encoded. Any tool can produce it, e.g.
 * `jq -cS 'del(.sig)' cmd.json | openssl pkeyutl -sign -rawin -inkey manager.pem`.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function signedBytes(body: Record<string, unknown>): Buffer {
  const { sig: _sig, ...rest } = body;
  return Buffer.from(canonicalJson(rest), 'utf8');
}

/** A raw 32-byte Ed25519 public key (base64url, the trust-list format) as a KeyObject. */
export function ed25519PublicKey(rawBase64url: string): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: rawBase64url }, format: 'jwk' });
}

export function verifySignature(body: Record<string, unknown>, sig: string, key: KeyObject): boolean {
  try {
    return verify(null, signedBytes(body), key, Buffer.from(sig, 'base64url'));
  } catch {
    return false;
  }
}

/** A PKCS#8 private key (base64url DER, as `gatewarden keys generate` prints it). */
export function ed25519PrivateKey(pkcs8Base64url: string): KeyObject {
  return createPrivateKey({ key: Buffer.from(pkcs8Base64url, 'base64url'), format: 'der', type: 'pkcs8' });
}

/** Signs a command body with a key pair: adds `kid`, `ts` (when absent) and `sig` over the rest. */
export function signCommand(body: Record<string, unknown>, pair: { kid: string; privateKey: string }, now: number = Date.now()): Record<string, unknown> {
  const unsigned = { ...body, kid: pair.kid, ts: body.ts ?? new Date(now).toISOString(), sig: undefined };
  const sig = sign(null, signedBytes(unsigned), ed25519PrivateKey(pair.privateKey)).toString('base64url');
  return { ...unsigned, sig };
}
