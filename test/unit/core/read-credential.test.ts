import { describe, expect, it } from 'vitest';
import { readCredential, type CredentialContext } from '../../../src/core/read-credential.js';
import { buildRoster } from '../../../src/core/roster.js';
import { EMPTY_REGISTRY } from '../../../src/core/registry.js';
import { createIssuer, trustListOf } from '../../helpers/health-pass-issuer.js';

const NOW = Date.UTC(2026, 2, 1, 8, 0, 0);
const issuer = createIssuer('district', { now: () => NOW });
const context: CredentialContext = {
  trust: trustListOf([issuer]),
  roster: buildRoster([
    { uid: '04A1B2C3', subject: 'resident-1', role: 'resident', household: '3-2-401' },
    { uid: 'DEADBEEF00', subject: 'staff-1', role: 'staff' },
  ]),
  registry: EMPTY_REGISTRY,
  now: NOW,
};

describe('readCredential dispatch', () => {
  it('reads an HP1 code (surrounding white space trimmed) as a verified health pass', () => {
    expect(readCredential(`  ${issuer.issue({ sub: 'p-1' })}\r\n`, context)).toMatchObject({ kind: 'health-pass', subject: { id: 'p-1' }, problems: [] });
  });

  it('an HP1 code that fails to parse stays unreadable, even when it looks like hex after the prefix', () => {
    expect(readCredential('HP1:DEADBEEF', context)).toEqual({ kind: 'unreadable', problems: ['CODE_MALFORMED'] });
  });

  it.each([
    ['roster UID as stored', '04A1B2C3', { subject: { kind: 'health-pass', id: 'resident-1' }, role: 'resident', household: '3-2-401' }],
    ['lower-case UID', '04a1b2c3', { subject: { kind: 'health-pass', id: 'resident-1' }, role: 'resident', household: '3-2-401' }],
    ['UID with a trailing newline', 'deadbeef00\n', { subject: { kind: 'health-pass', id: 'staff-1' }, role: 'staff' }],
  ])('%s → the roster card, no problems', (_name, code, expected) => {
    expect(readCredential(code, context)).toEqual({ kind: 'card', ...expected, problems: [] });
  });

  it('a card without a household has no household key', () => {
    expect(readCredential('DEADBEEF00', context)).not.toHaveProperty('household');
  });

  it.each([
    ['8 hex digits (shortest UID)', '0badcafe', '0BADCAFE'],
    ['20 hex digits (longest UID)', 'aBcDeF0123456789aBcD', 'ABCDEF0123456789ABCD'],
  ])('unknown card, %s → CARD_UNKNOWN with the UID in upper case as subject', (_name, code, id) => {
    expect(readCredential(code, context)).toEqual({ kind: 'card', subject: { kind: 'card', id }, problems: ['CARD_UNKNOWN'] });
  });

  it.each([
    ['7 hex digits', '0BADCAF'],
    ['21 hex digits', 'ABCDEF0123456789ABCDE'],
    ['not hex', '04A1B2CZ'],
    ['hex with an inner space', '04A1 B2C3'],
    ['empty frame', ''],
    ['white space only', ' \t '],
    ['a URL', 'https://example.com/p?id=1'],
  ])('garbage (%s) → unreadable CODE_MALFORMED', (_name, code) => {
    expect(readCredential(code, context)).toEqual({ kind: 'unreadable', problems: ['CODE_MALFORMED'] });
  });
});
