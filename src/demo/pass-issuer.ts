import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { HealthPassPayload } from '../core/health-pass.js';
import { HEALTH_PASS_PREFIX } from '../core/health-pass.js';

/**
 * Issues `HP1:` health passes the way a health authority does: the payload
 * bytes are signed with Ed25519 and both are base64url-encoded. Used by the
 * demo crowd and by `gatewarden keys issue`.
 */
export class PassIssuer {
  private readonly key: KeyObject;

  constructor(
    readonly kid: string,
    privateKeyPkcs8: string,
  ) {
    this.key = createPrivateKey({ key: Buffer.from(privateKeyPkcs8, 'base64url'), format: 'der', type: 'pkcs8' });
  }

  issue(payload: Omit<HealthPassPayload, 'v' | 'kid'>): string {
    const bytes = Buffer.from(JSON.stringify({ v: 1, kid: this.kid, ...payload }));
    const signature = sign(null, bytes, this.key);
    return `${HEALTH_PASS_PREFIX}${bytes.toString('base64url')}.${signature.toString('base64url')}`;
  }
}
