import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { isHealthPass, readHealthPass } from '../../../src/core/health-pass.js';
import type { ReasonCode } from '../../../src/core/reasons.js';
import type { TrustList } from '../../../src/core/trust-list.js';
import { createIssuer, encodePass, trustListOf, type IssueOptions, type PayloadOverrides } from '../../helpers/health-pass-issuer.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';

const NOW = Date.UTC(2026, 2, 1, 8, 0, 0);
const NOW_S = NOW / 1000;
const issuer = createIssuer('district-2026', { now: () => NOW });
const trust = trustListOf([issuer]);
const read = (code: string, list: TrustList = trust) => readHealthPass(code, list, NOW);
const problemsOf = (code: string, list?: TrustList) => {
  const credential = read(code, list);
  return credential.kind === 'unreadable' ? ['unreadable', ...credential.problems] : credential.problems;
};
/** A well-formed signature of the right length, for codes whose payload is the point. */
const someSignature = Buffer.alloc(64, 7);

describe('readHealthPass: a valid pass', () => {
  it('reads subject, colour, issuer and expiry (ms), with no problems', () => {
    expect(read(issuer.issue({ sub: 'p-42', col: 'yellow', exp: NOW_S + 600 }))).toEqual({
      kind: 'health-pass',
      subject: { kind: 'health-pass', id: 'p-42' },
      colour: 'yellow',
      issuer: 'district-2026',
      expiresAt: NOW + 600_000,
      fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/),
      problems: [],
    });
  });

  it('carries the nucleic-acid test (at in ms) and the origin region', () => {
    const credential = read(issuer.issue({ test: { at: NOW_S - 3600, result: 'negative' }, origin: '350502' }));
    expect(credential).toMatchObject({ test: { at: NOW - 3_600_000, result: 'negative' }, origin: '350502', problems: [] });
  });

  it('fingerprints the payload: the same pass twice matches, another subject does not', () => {
    const fingerprint = (code: string) => {
      const credential = read(code);
      return credential.kind === 'health-pass' ? credential.fingerprint : undefined;
    };
    const first = fingerprint(issuer.issue({ sub: 'a' }));
    expect(first).toBeDefined();
    expect(fingerprint(issuer.issue({ sub: 'a' }))).toBe(first);
    expect(fingerprint(issuer.issue({ sub: 'b' }))).not.toBe(first);
  });

  it('recognises the HP1: prefix only at the start, in capitals', () => {
    expect([isHealthPass('HP1:abc'), isHealthPass('hp1:abc'), isHealthPass(' HP1:abc'), isHealthPass('HP2:abc')]).toEqual([true, false, false, false]);
  });
});

describe('readHealthPass: problems are reported, never thrown', () => {
  const otherIssuer = createIssuer('district-2026', { now: () => NOW });
  const cases: Array<{ name: string; overrides?: PayloadOverrides; options?: IssueOptions; trust?: TrustList; problems: ReasonCode[] }> = [
    { name: 'payload changed after signing (red shown as green)', overrides: { col: 'red' }, options: { tamperPayload: { col: 'green' } }, problems: ['CODE_BAD_SIGNATURE'] },
    { name: 'one bit of the signature flipped', options: { tamperSignature: true }, problems: ['CODE_BAD_SIGNATURE'] },
    { name: 'real signature missing its last byte', options: { signature: (real) => real.subarray(0, 63) }, problems: ['CODE_BAD_SIGNATURE'] },
    { name: 'real signature with a byte appended', options: { signature: (real) => Buffer.concat([real, Buffer.of(0)]) }, problems: ['CODE_BAD_SIGNATURE'] },
    { name: 'one-byte signature', options: { signature: () => Buffer.of(1) }, problems: ['CODE_BAD_SIGNATURE'] },
    { name: 'signed by another key under the same kid', trust: trustListOf([otherIssuer]), problems: ['CODE_BAD_SIGNATURE'] },
    { name: 'kid not in the trust list', overrides: { kid: 'elsewhere' }, problems: ['CODE_UNKNOWN_ISSUER'] },
    { name: 'kid naming an Object.prototype member (constructor)', overrides: { kid: 'constructor' }, problems: ['CODE_UNKNOWN_ISSUER'] },
    { name: 'kid naming an Object.prototype member (__proto__)', overrides: { kid: '__proto__' }, problems: ['CODE_UNKNOWN_ISSUER'] },
    { name: 'kid naming an Object.prototype member (toString)', overrides: { kid: 'toString' }, problems: ['CODE_UNKNOWN_ISSUER'] },
    { name: 'trust-list key is not a key', trust: { ...trust, issuers: { [issuer.kid]: 'not-a-key' } }, problems: ['CODE_BAD_SIGNATURE'] },
    { name: 'trust-list key is 31 bytes', trust: { ...trust, issuers: { [issuer.kid]: Buffer.alloc(31, 9).toString('base64url') } }, problems: ['CODE_BAD_SIGNATURE'] },
    { name: 'expired exactly now', overrides: { exp: NOW_S }, problems: ['CODE_EXPIRED'] },
    { name: 'expires one second from now', overrides: { exp: NOW_S + 1 }, problems: [] },
    { name: 'issued 300 s in the future (within the skew)', overrides: { iat: NOW_S + 300 }, problems: [] },
    { name: 'issued 301 s in the future (beyond the skew)', overrides: { iat: NOW_S + 301 }, problems: ['CODE_EXPIRED'] },
    { name: 'expired and tampered', overrides: { exp: NOW_S - 1 }, options: { tamperSignature: true }, problems: ['CODE_BAD_SIGNATURE', 'CODE_EXPIRED'] },
    { name: 'expired from an unknown issuer', overrides: { kid: 'elsewhere', exp: NOW_S - 1 }, problems: ['CODE_UNKNOWN_ISSUER', 'CODE_EXPIRED'] },
  ];

  it.each(cases.map((c): [string, (typeof cases)[number]] => [c.name, c]))('%s', (_name, { overrides, options, trust: list, problems }) => {
    const credential = read(issuer.issue(overrides, options), list);
    expect(credential.kind).toBe('health-pass');
    expect(credential.problems).toEqual(problems);
  });

  it('refuses a signed payload that names a key twice, or a time no clock reaches (found from outside)', () => {
    const payload = (middle: string) => `{"v":1,"kid":"${issuer.kid}","sub":"subject-1",${middle},"iat":${NOW_S - 60},"exp":${NOW_S + 3600}}`;
    const malformed = ['unreadable', 'CODE_MALFORMED'];
    // Read green here and red by a reader that keeps the first: neither may decide.
    expect(problemsOf(issuer.issueText(payload('"col":"red","col":"green"')))).toEqual(malformed);
    expect(problemsOf(issuer.issueText(payload('"col":"red","c\\u006fl":"green"')))).toEqual(malformed);
    expect(problemsOf(issuer.issueText(payload('"col":"green","test":{"at":1,"result":"positive","result":"negative"}')))).toEqual(malformed);
    expect(problemsOf(issuer.issueText(`{"v":1,"kid":"${issuer.kid}","sub":"subject-1","col":"green","iat":${NOW_S - 60},"exp":1e308}`))).toEqual(malformed);
    // The same names in values, nested objects and arrays are no duplicates.
    const fine = payload('"col":"green","origin":"110000","test":{"at":1,"result":"negative"}').replace('"sub":"subject-1"', '"sub":"\\"col\\":\\"red\\",{[\\"v"');
    expect(problemsOf(issuer.issueText(fine))).toEqual([]);
  });

  it('an invalid trust-list key keeps failing once cached, and does not spoil a valid key', () => {
    const broken: TrustList = { ...trust, issuers: { [issuer.kid]: 'not-a-key' } };
    expect([problemsOf(issuer.issue(), broken), problemsOf(issuer.issue(), broken), problemsOf(issuer.issue())]).toEqual([['CODE_BAD_SIGNATURE'], ['CODE_BAD_SIGNATURE'], []]);
  });
});

describe('readHealthPass: a pass read again (at the decision) is judged as at the scan', () => {
  it('keeps the verdict of the same text under the same key, and judges a changed key or text afresh', () => {
    const code = issuer.issue({ sub: 'again' });
    expect(problemsOf(code)).toEqual([]);
    expect(problemsOf(code)).toEqual([]);
    // The same kid now names another key (a rotation, or an attacker's trust list): the remembered verdict does not carry over.
    const impostor = createIssuer('district-2026', { now: () => NOW });
    expect(problemsOf(code, trustListOf([impostor]))).toEqual(['CODE_BAD_SIGNATURE']);
    expect(problemsOf(code)).toEqual([]);
    const [body, signature] = code.split('.') as [string, string];
    const flipped = `${body}.${signature.slice(0, 10)}${signature[10] === 'A' ? 'B' : 'A'}${signature.slice(11)}`;
    expect(problemsOf(flipped)).toEqual(['CODE_BAD_SIGNATURE']);
  });

  it('still verifies every pass when more are read than it remembers', () => {
    const codes = Array.from({ length: 300 }, (_, i) => issuer.issue({ sub: `crowd-${i}` }));
    for (const code of codes) expect(problemsOf(code)).toEqual([]);
    const forged = `${codes[0]!.split('.')[0]!}.${Buffer.alloc(64, 1).toString('base64url')}`;
    expect(problemsOf(forged)).toEqual(['CODE_BAD_SIGNATURE']);
    for (const code of codes) expect(problemsOf(code)).toEqual([]);
  });
});

describe('readHealthPass: malformed codes are unreadable (CODE_MALFORMED)', () => {
  const valid = issuer.issue();
  const [encodedPayload = '', encodedSignature = ''] = valid.slice(4).split('.');
  const raw = (json: string) => encodePass(Buffer.from(json), someSignature);
  const codes: Array<[string, string]> = [
    ['no prefix', valid.slice(4)],
    ['lower-case prefix', `hp1:${valid.slice(4)}`],
    ['no signature part', `HP1:${encodedPayload}`],
    ['three parts', `${valid}.${encodedSignature}`],
    ['empty payload part', `HP1:.${encodedSignature}`],
    ['empty signature part', `HP1:${encodedPayload}.`],
    ['base64 (not base64url) characters', `HP1:${encodedPayload}+/.${encodedSignature}`],
    ['base64 padding', `HP1:${encodedPayload}=.${encodedSignature}`],
    ['payload is not JSON', raw('{"v":1,')],
    ['payload is JSON null', raw('null')],
    ['payload is a JSON number', raw('42')],
    ['payload is a JSON string', raw('"green"')],
  ];
  const payloads: Array<[string, PayloadOverrides]> = [
    ['version 2', { v: 2 }],
    ['no version', { v: undefined }],
    ['no kid', { kid: undefined }],
    ['numeric kid', { kid: 7 }],
    ['no subject', { sub: undefined }],
    ['empty subject', { sub: '' }],
    ['no colour', { col: undefined }],
    ['colour blue', { col: 'blue' }],
    ['colour as a number', { col: 1 }],
    ['no iat', { iat: undefined }],
    ['fractional iat', { iat: NOW_S + 0.5 }],
    ['iat as a string', { iat: String(NOW_S) }],
    ['no exp', { exp: undefined }],
    ['exp as a string', { exp: String(NOW_S + 60) }],
    ['origin with five digits', { origin: '35050' }],
    ['origin with seven digits', { origin: '3505021' }],
    ['origin with letters', { origin: '35050a' }],
    ['origin as a number', { origin: 350502 }],
    ['test as a string', { test: 'negative' }],
    ['test null', { test: null }],
    ['test without a result', { test: { at: NOW_S } }],
    ['test with an unknown result', { test: { at: NOW_S, result: 'pending' } }],
    ['test with a fractional time', { test: { at: NOW_S + 0.5, result: 'negative' } }],
  ];

  it.each([...codes, ...payloads.map(([name, overrides]): [string, string] => [name, issuer.issue(overrides)])])('%s', (_name, code) => {
    expect(read(code)).toEqual({ kind: 'unreadable', problems: ['CODE_MALFORMED'] });
  });
});

/** Interoperability (docs/design.md): any tool that signs Ed25519 can issue a pass, and our test issuer signs what openssl verifies. */
describeWithTools(['openssl'], 'readHealthPass: interoperability with openssl', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatewarden-hp1-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a pass signed by openssl pkeyutl verifies against the raw public key openssl exports', () => {
    openssl('genpkey', '-algorithm', 'ed25519', '-out', file('issuer.pem'));
    const payload = Buffer.from(JSON.stringify({ v: 1, kid: 'openssl', sub: 'p-7', col: 'green', iat: NOW_S - 10, exp: NOW_S + 60, origin: '350502' }));
    writeFileSync(file('payload.json'), payload);
    openssl('pkeyutl', '-sign', '-inkey', file('issuer.pem'), '-rawin', '-in', file('payload.json'), '-out', file('payload.sig'));
    openssl('pkey', '-in', file('issuer.pem'), '-pubout', '-outform', 'DER', '-out', file('issuer.der'));
    const rawKey = readFileSync(file('issuer.der')).subarray(-32).toString('base64url');
    const list = trustListOf([{ kid: 'openssl', publicKey: rawKey }]);
    const signature = readFileSync(file('payload.sig'));

    expect(read(encodePass(payload, signature), list)).toMatchObject({ kind: 'health-pass', subject: { id: 'p-7' }, origin: '350502', problems: [] });
    signature[10] = (signature[10] ?? 0) ^ 0x80;
    expect(read(encodePass(payload, signature), list).problems).toEqual(['CODE_BAD_SIGNATURE']);
  });

  it('openssl pkeyutl verifies a pass from the test issuer', () => {
    const [encodedPayload = '', encodedSignature = ''] = issuer.issue({ sub: 'p-8' }).slice(4).split('.');
    writeFileSync(file('ours.json'), Buffer.from(encodedPayload, 'base64url'));
    writeFileSync(file('ours.sig'), Buffer.from(encodedSignature, 'base64url'));
    const jwk = { kty: 'OKP', crv: 'Ed25519', x: issuer.publicKey };
    writeFileSync(file('ours.pub.pem'), createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }));
    const verified = openssl('pkeyutl', '-verify', '-pubin', '-inkey', file('ours.pub.pem'), '-rawin', '-in', file('ours.json'), '-sigfile', file('ours.sig'));
    expect(verified.toString()).toMatch(/Signature Verified Successfully/);
  });
});
