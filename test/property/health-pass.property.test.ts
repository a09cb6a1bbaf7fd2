import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readHealthPass } from '../../src/core/health-pass.js';
import type { TrustList } from '../../src/core/trust-list.js';
import { PassIssuer } from '../../src/demo/pass-issuer.js';
import { generateEd25519 } from '../../src/secrets.js';
import { propertyParameters } from './runs.js';

const key = generateEd25519('k1');
const issuer = new PassIssuer(key.kid, key.privateKey);
const trust: TrustList = { issuers: { k1: key.publicKey }, refreshedAt: 0, maxAgeMs: null };
const NOW = 1_800_000_000_000;
const valid = issuer.issue({ sub: 'person-1', col: 'green', iat: NOW / 1000 - 60, exp: NOW / 1000 + 3600 });

describe('HP1 parser properties', () => {
  it('never throws on arbitrary input, and refuses it with a reason', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string().map((s) => `HP1:${s}`), fc.string().map((s) => `HP1:${s}.${s}`)), (code) => {
        const credential = readHealthPass(code, trust, NOW);
        expect(credential.kind === 'unreadable' || credential.problems.length > 0).toBe(true);
      }),
      propertyParameters,
    );
  });

  it('a pass changed anywhere either fails to parse, fails to verify, or decodes to the very same payload and signature', () => {
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 1 }), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:'.split('')), (index, replacement) => {
        const mutated = valid.slice(0, index) + replacement + valid.slice(index + 1);
        const credential = readHealthPass(mutated, trust, NOW);
        if (credential.kind === 'unreadable' || credential.problems.length > 0) return;
        // Accepted: only possible when the change hit base64url's unused low bits, so the bytes are identical.
        const original = readHealthPass(valid, trust, NOW);
        expect(credential).toEqual(original);
      }),
      propertyParameters,
    );
  });

  it('payloads signed by this issuer verify, whatever their subject and colour', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 64 }), fc.constantFrom('green' as const, 'yellow' as const, 'red' as const), (sub, col) => {
        const credential = readHealthPass(issuer.issue({ sub, col, iat: NOW / 1000, exp: NOW / 1000 + 60 }), trust, NOW);
        expect(credential).toMatchObject({ kind: 'health-pass', colour: col, subject: { id: sub }, problems: [] });
      }),
      propertyParameters,
    );
  });
});
