import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readCredential, type CredentialContext } from '../../../src/core/read-credential.js';
import { EMPTY_REGISTRY, type Registry, type VisitorPassRecord } from '../../../src/core/registry.js';
import { buildRoster } from '../../../src/core/roster.js';
import { issueVisitorPass, verifyVisitorPass } from '../../../src/core/visitor-pass.js';
import { createIssuer, trustListOf } from '../../helpers/health-pass-issuer.js';

const NOW = Date.UTC(2026, 2, 1, 8, 0, 0);
const KEY = Buffer.alloc(32, 7);
const PASS: VisitorPassRecord = { passId: 'V-1', hostHousehold: '3-2-401', plate: 'MINA12345', origin: '350502', validFrom: NOW - 3600_000, validUntil: NOW + 3600_000, revoked: false };
const registry: Registry = {
  visitorKey: KEY,
  visitorPass: (id) => (id === PASS.passId ? PASS : id === 'V-old' ? { ...PASS, passId: 'V-old', validUntil: NOW - 1 } : id === 'V-revoked' ? { ...PASS, revoked: true } : undefined),
  visitorPassForPlate: (plate) => (plate === PASS.plate ? PASS : undefined),
  vehicle: (plate) => (plate === 'MINA88888' ? { plate, role: 'resident', household: '1-101' } : undefined),
};
const issuer = createIssuer('district', { now: () => NOW });
const context: CredentialContext = { trust: trustListOf([issuer]), roster: buildRoster([{ uid: '04A1B2C3', subject: 'resident-1', role: 'resident', household: '3-2-401' }]), registry, now: NOW };

describe('VP1 visitor passes', () => {
  it('round-trips pass id and subject, and refuses a changed token', () => {
    const code = issueVisitorPass({ passId: 'V-1', subject: 'visitor-9' }, KEY);
    expect(code).toMatch(/^VP1:[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(verifyVisitorPass(code, KEY)).toEqual({ passId: 'V-1', subject: 'visitor-9' });
    expect(verifyVisitorPass(code, Buffer.alloc(32, 8))).toBeUndefined();
    expect(verifyVisitorPass(`${code.slice(0, -2)}AA`, KEY)).toBeUndefined();
    expect(verifyVisitorPass('VP1:not-a-token', KEY)).toBeUndefined();
    // Correctly tagged, yet not a pass: text that is not JSON, and JSON without the fields.
    const tagged = (text: string) => `VP1:${Buffer.from(text).toString('base64url')}.${createHmac('sha256', KEY).update(text).digest().subarray(0, 16).toString('base64url')}`;
    expect(verifyVisitorPass(tagged('nope'), KEY)).toBeUndefined();
    expect(verifyVisitorPass(tagged('{"pid":"V-1"}'), KEY)).toBeUndefined();
    expect(verifyVisitorPass(tagged('{"pid":"V-1","sub":"v"}'), KEY)).toEqual({ passId: 'V-1', subject: 'v' });
  });

  it('reads a valid pass as the visitor, named by their health-pass subject', () => {
    expect(readCredential(issueVisitorPass({ passId: 'V-1', subject: 'visitor-9' }, KEY), context)).toEqual({
      kind: 'visitor-pass',
      subject: { kind: 'health-pass', id: 'visitor-9' },
      visitor: { passId: 'V-1', hostHousehold: '3-2-401', plate: 'MINA12345', origin: '350502' },
      problems: [],
    });
  });

  it.each([
    ['outside its window', 'V-old', 'VISITOR_PASS_EXPIRED'],
    ['revoked', 'V-revoked', 'VISITOR_PASS_INVALID'],
    ['unknown to the estate', 'V-none', 'VISITOR_PASS_INVALID'],
  ])('a pass %s is refused', (_name, passId, problem) => {
    expect(readCredential(issueVisitorPass({ passId, subject: 'visitor-9' }, KEY), context).problems).toEqual([problem]);
  });

  it('a forged token is unreadable with VISITOR_PASS_INVALID', () => {
    expect(readCredential(issueVisitorPass({ passId: 'V-1', subject: 'visitor-9' }, Buffer.alloc(32, 1)), context)).toEqual({ kind: 'unreadable', problems: ['VISITOR_PASS_INVALID'] });
  });
});

describe('plates on vehicle lanes', () => {
  it.each([
    ['a resident vehicle, written loosely', 'mina 888-88', { kind: 'plate', subject: { kind: 'plate', id: 'MINA88888' }, vehicle: { role: 'resident', household: '1-101' }, problems: [] }],
    ['a visitor vehicle', 'MINA12345', { kind: 'plate', subject: { kind: 'plate', id: 'MINA12345' }, visitor: { passId: 'V-1', hostHousehold: '3-2-401', plate: 'MINA12345', origin: '350502' }, problems: [] }],
    ['an unknown vehicle', '闽D12345', { kind: 'plate', subject: { kind: 'plate', id: '闽D12345' }, problems: ['PLATE_UNKNOWN'] }],
  ])('%s', (_name, code, expected) => {
    expect(readCredential(code, context, 'vehicle')).toEqual(expected);
  });

  it('a pedestrian lane does not read plates, and a vehicle lane still reads cards', () => {
    expect(readCredential('MINA88888', context).kind).toBe('unreadable');
    expect(readCredential('04A1B2C3', context, 'vehicle')).toMatchObject({ kind: 'card', role: 'resident' });
  });

  it('a resident showing a health pass is known by the roster card of the same subject', () => {
    expect(readCredential(issuer.issue({ sub: 'resident-1' }), context)).toMatchObject({ kind: 'health-pass', role: 'resident', household: '3-2-401' });
    expect(readCredential(issuer.issue({ sub: 'stranger' }), { ...context, registry: EMPTY_REGISTRY })).not.toHaveProperty('role');
  });

  it('with no registry nothing is registered: no visitor pass, no vehicle', () => {
    const empty = { ...context, registry: EMPTY_REGISTRY };
    expect(readCredential(issueVisitorPass({ passId: 'V-1', subject: 'v' }, EMPTY_REGISTRY.visitorKey), empty).problems).toEqual(['VISITOR_PASS_INVALID']);
    expect(readCredential('MINA88888', empty, 'vehicle').problems).toEqual(['PLATE_UNKNOWN']);
  });
});
