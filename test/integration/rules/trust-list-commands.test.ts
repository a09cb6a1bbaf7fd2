import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassIssuer } from '../../../src/demo/pass-issuer.js';
import { generateEd25519 } from '../../../src/secrets.js';
import { startPassGateway, type PassGateway } from './pass-gateway.js';

/**
 * Whoever adds a health-pass issuer can mint green passes. Found from outside:
 * an estate manager could add a key of their own with `lists` (list trust),
 * and an `add` on a list never sent before started from empty, dropping the
 * config's issuers (every real pass then refused).
 */
describe('the trust list over commands', () => {
  let gw: PassGateway;
  const rogue = generateEd25519('rogue');
  const nowS = () => Math.floor(Date.now() / 1000);
  const roguePass = (sub: string) => new PassIssuer(rogue.kid, rogue.privateKey).issue({ sub, col: 'green', iat: nowS() - 60, exp: nowS() + 3600 });

  beforeAll(async () => {
    gw = await startPassGateway();
  });
  afterAll(async () => gw?.stop());

  it('is refused to the estate manager, audited, and the rogue key mints nothing', async () => {
    const reply = await gw.command('manager', 'lists', { list: 'trust', op: 'add', version: 't-1', entries: [{ kid: rogue.kid, publicKey: rogue.publicKey }] }, 'trust-manager');
    expect(reply).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_UNAUTHORIZED' } });
    expect(gw.audit('trust-manager')).toEqual([expect.objectContaining({ ok: 0, code: 'GW_COMMAND_UNAUTHORIZED', role: 'manager' })]);
    expect((await gw.scan('in', roguePass('resident-1'))).decision).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['CODE_UNKNOWN_ISSUER']) });
  });

  it('takes an add from the district on top of the issuers in force, so the config issuer still counts', async () => {
    expect(await gw.command('district', 'lists', { list: 'trust', op: 'add', version: 't-2', entries: [{ kid: rogue.kid, publicKey: rogue.publicKey }] })).toMatchObject({ ok: true, data: { entries: 2 } });
    expect((await gw.scan('in', gw.pass('resident-1'))).decision).toMatchObject({ verdict: 'grant' });
    expect((await gw.scan('in', roguePass('resident-2'))).decision).toMatchObject({ verdict: 'grant' });
    expect(await gw.command('district', 'lists', { list: 'trust', op: 'remove', version: 't-3', entries: [{ kid: rogue.kid }] })).toMatchObject({ ok: true, data: { entries: 1 } });
    // Another person: resident-2 went in moments ago, and once in the window is enough.
    expect((await gw.scan('in', gw.pass('visitor-9'))).decision).toMatchObject({ verdict: 'grant' });
  });
});
