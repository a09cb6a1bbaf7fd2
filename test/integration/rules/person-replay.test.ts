import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPassGateway, type PassGateway } from './pass-gateway.js';

/**
 * A health-code app shows a new QR code every refresh: two screenshots of one
 * person's code are two different passes. Found from outside: both went in at
 * two lanes within a second, in a lockdown. The replay window holds the
 * person, per direction; going the other way in between clears it.
 */
describe('one person twice the same way within the replay window', () => {
  let gw: PassGateway;

  beforeAll(async () => {
    gw = await startPassGateway();
  });
  afterAll(async () => gw?.stop());

  it('refuses the second entry on another pass of the same person as CODE_REPLAYED', async () => {
    expect((await gw.scan('in', gw.pass('resident-1'))).decision).toMatchObject({ verdict: 'grant' });
    expect((await gw.scan('in', gw.pass('resident-1'))).decision).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['CODE_REPLAYED']) });
  });

  it('lets the person who went out come straight back in', async () => {
    expect((await gw.scan('in', gw.pass('resident-2'))).decision).toMatchObject({ verdict: 'grant' });
    expect((await gw.scan('out', gw.pass('resident-2'))).decision).toMatchObject({ verdict: 'grant' });
    expect((await gw.scan('in', gw.pass('resident-2'))).decision).toMatchObject({ verdict: 'grant' });
  });

  it('keeps no raw subject in the replay window at rest', () => {
    const keys = (gw.harness.gateway.db.prepare('SELECT key FROM replay_window').all() as Array<{ key: string }>).map((row) => row.key);
    expect(keys.some((key) => key.startsWith('person:'))).toBe(true);
    expect(keys.join(' ')).not.toContain('resident-');
  });
});
