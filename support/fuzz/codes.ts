import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { HealthPassPayload } from '../../src/core/health-pass.js';
import type { CredentialContext } from '../../src/core/read-credential.js';
import { isPassValid, type VisitorPassRecord } from '../../src/core/registry.js';
import { buildRoster } from '../../src/core/roster.js';
import type { TrustList } from '../../src/core/trust-list.js';
import { issueVisitorPass } from '../../src/core/visitor-pass.js';
import { PassIssuer } from '../../src/demo/pass-issuer.js';
import { generateEd25519 } from '../../src/secrets.js';

/**
 * Scanned codes as a scanner can deliver them: valid HP1 and VP1 passes,
 * passes signed with a key the gate does not trust under a trusted kid,
 * valid passes changed in one place, and text that only looks like a pass.
 * Each carries where it came from, so a check knows what it may accept.
 */
export type Origin = 'valid' | 'forged' | 'mutated' | 'random';

export interface Code {
  code: string;
  origin: Origin;
  /** For a mutated code: the valid code it was made from. */
  original?: string;
}

/** Fixed "now" of the parsers (ms), 2027-01-15. */
export const NOW = 1_800_000_000_000;

export const TRUSTED = generateEd25519('k1');
const impostor = generateEd25519('k1');
export const ISSUER = new PassIssuer(TRUSTED.kid, TRUSTED.privateKey);
const FORGER = new PassIssuer(impostor.kid, impostor.privateKey);
export const TRUST: TrustList = { issuers: { k1: TRUSTED.publicKey }, refreshedAt: NOW, maxAgeMs: null };
export const VISITOR_KEY = randomBytes(32);
const OTHER_VISITOR_KEY = randomBytes(32);

const BASE64URL_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];

/** One change to a valid code: a character replaced, inserted or removed, or the code cut short. */
export function mutated(valid: fc.Arbitrary<string>): fc.Arbitrary<Code> {
  const char = fc.oneof(fc.constantFrom(...BASE64URL_CHARS, '.', ':', ' ', '=', '\u0000'), fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' }));
  return fc.tuple(valid, fc.nat(), char, fc.constantFrom('replace', 'insert', 'delete', 'truncate')).map(([original, at, c, how]) => {
    const i = at % original.length;
    const code =
      how === 'replace' ? original.slice(0, i) + c + original.slice(i + 1) : how === 'insert' ? original.slice(0, i) + c + original.slice(i) : how === 'delete' ? original.slice(0, i) + original.slice(i + 1) : original.slice(0, i);
    return { code, origin: 'mutated' as const, original };
  });
}

/** Text with the prefix and the shape of a pass: `PREFIX` + base64url-ish parts, or anything at all. */
export function lookalike(prefix: string): fc.Arbitrary<Code> {
  const part = fc.string({ unit: fc.constantFrom(...BASE64URL_CHARS), maxLength: 120 });
  return fc
    .oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ maxLength: 200, unit: 'binary' }),
      fc.string({ maxLength: 200 }).map((s) => `${prefix}${s}`),
      fc.array(part, { maxLength: 4 }).map((parts) => `${prefix}${parts.join('.')}`),
      fc.jsonValue({ maxDepth: 3 }).map((value) => `${prefix}${Buffer.from(JSON.stringify(value) ?? '').toString('base64url')}.${randomBytes(16).toString('base64url')}`),
    )
    .map((code) => ({ code, origin: 'random' as const }));
}

const subjectArb = fc.oneof(fc.constantFrom('r1', 'v1', 'x9'), fc.string({ minLength: 1, maxLength: 40 }));

/** A health pass payload an issuer may sign: any colour, maybe a test and an origin, maybe expired or issued in the future. */
export const passPayloadArb: fc.Arbitrary<Omit<HealthPassPayload, 'v' | 'kid'>> = fc
  .record({
    sub: subjectArb,
    col: fc.oneof({ arbitrary: fc.constant('green' as const), weight: 3 }, { arbitrary: fc.constantFrom('yellow' as const, 'red' as const), weight: 1 }),
    iatOffsetS: fc.oneof({ arbitrary: fc.integer({ min: -86_400, max: 0 }), weight: 5 }, { arbitrary: fc.integer({ min: 1, max: 3600 }), weight: 1 }),
    lifeS: fc.oneof({ arbitrary: fc.integer({ min: 3600, max: 7 * 86_400 }), weight: 5 }, { arbitrary: fc.integer({ min: -86_400, max: 0 }), weight: 1 }),
    test: fc.option(fc.record({ atDaysAgo: fc.integer({ min: 0, max: 14 }), result: fc.constantFrom('negative' as const, 'positive' as const) }), { nil: undefined }),
    origin: fc.option(fc.constantFrom('350502', '110101'), { nil: undefined }),
  })
  .map(({ sub, col, iatOffsetS, lifeS, test, origin }) => {
    const nowS = NOW / 1000;
    return {
      sub,
      col,
      iat: nowS + iatOffsetS,
      exp: nowS + iatOffsetS + lifeS,
      ...(test ? { test: { at: nowS - test.atDaysAgo * 86_400, result: test.result } } : {}),
      ...(origin ? { origin } : {}),
    };
  });

export const validHealthPass = passPayloadArb.map((payload) => ISSUER.issue(payload));

export const healthPassCode: fc.Arbitrary<Code> = fc.oneof(
  validHealthPass.map((code) => ({ code, origin: 'valid' as const })),
  passPayloadArb.map((payload) => ({ code: FORGER.issue(payload), origin: 'forged' as const })),
  { arbitrary: mutated(validHealthPass), weight: 3 },
  { arbitrary: lookalike('HP1:'), weight: 2 },
);

const visitorTokenArb = fc.record({ passId: fc.oneof(fc.constantFrom('V1', 'V2', 'V3'), fc.string({ minLength: 1, maxLength: 24 })), subject: subjectArb });
export const validVisitorPass = visitorTokenArb.map((token) => issueVisitorPass(token, VISITOR_KEY));

export const visitorPassCode: fc.Arbitrary<Code> = fc.oneof(
  validVisitorPass.map((code) => ({ code, origin: 'valid' as const })),
  visitorTokenArb.map((token) => ({ code: issueVisitorPass(token, OTHER_VISITOR_KEY), origin: 'forged' as const })),
  { arbitrary: mutated(validVisitorPass), weight: 3 },
  { arbitrary: lookalike('VP1:'), weight: 2 },
);

const visitorPasses = new Map<string, VisitorPassRecord>([
  ['V1', { passId: 'V1', hostHousehold: '1-101', origin: '350502', validFrom: NOW - 3_600_000, validUntil: NOW + 86_400_000, revoked: false, plate: '闽D12345' }],
  ['V2', { passId: 'V2', hostHousehold: '1-102', validFrom: NOW - 3_600_000, validUntil: NOW + 86_400_000, revoked: true }],
  ['V3', { passId: 'V3', hostHousehold: '1-103', validFrom: NOW - 86_400_000, validUntil: NOW - 1, revoked: false }],
]);

/** The estate the codes are read against: one resident card, three registered visitor passes (valid, revoked, expired), one vehicle. */
export const CONTEXT: CredentialContext = {
  trust: TRUST,
  roster: buildRoster([{ uid: '04AABBCCDD', subject: 'r1', role: 'resident', household: '1-101' }]),
  registry: {
    visitorKey: VISITOR_KEY,
    visitorPass: (passId) => visitorPasses.get(passId),
    visitorPassForPlate: (plate, at) => [...visitorPasses.values()].find((p) => p.plate === plate && isPassValid(p, at)),
    vehicle: (plate) => (plate === '闽D54321' ? { plate, household: '1-101', role: 'resident' } : undefined),
  },
  now: NOW,
};

/** Anything a scanner or plate reader may hand the lane: passes as above, roster and unknown cards, plates, garbage. */
export const scannedCode: fc.Arbitrary<Code> = fc.oneof(
  { arbitrary: healthPassCode, weight: 4 },
  { arbitrary: visitorPassCode, weight: 2 },
  fc.constantFrom('04AABBCCDD', '04aabbccdd', 'CAFE0001', '闽D54321', '闽D12345', '京A0000').map((code) => ({ code, origin: 'valid' as const })),
  lookalike(''),
);
