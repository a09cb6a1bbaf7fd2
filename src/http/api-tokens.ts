import { createHash, randomBytes } from 'node:crypto';
import type { ApiRole } from '../core/roles.js';
import type { ApiTokenConfig } from './config-schema.js';

/**
 * API bearer tokens: `gw_` + 32 random bytes (base64url). Only their SHA-256
 * is stored, in the config or the secrets file; the plain token is shown once
 * when it is made.
 */

const TOKEN = /^gw_[A-Za-z0-9_-]{43}$/;

export interface ApiPrincipal {
  name: string;
  role: ApiRole;
}

export function generateApiToken(): string {
  return `gw_${randomBytes(32).toString('base64url')}`;
}

export function hashApiToken(token: string): string {
  return `sha256$${createHash('sha256').update(token, 'utf8').digest('base64url')}`;
}

/**
 * Looks a presented token up by its hash. The lookup compares digests, never
 * the secret itself, so its timing says nothing useful about a valid token.
 */
export class TokenRegistry {
  private readonly byHash: ReadonlyMap<string, ApiPrincipal>;

  constructor(tokens: readonly ApiTokenConfig[]) {
    this.byHash = new Map(tokens.map((token) => [token.hash, { name: token.name, role: token.role }]));
  }

  get size(): number {
    return this.byHash.size;
  }

  verify(token: string): ApiPrincipal | undefined {
    if (!TOKEN.test(token)) return undefined;
    return this.byHash.get(hashApiToken(token));
  }
}
