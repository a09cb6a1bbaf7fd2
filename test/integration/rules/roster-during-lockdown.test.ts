import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESIDENTS, startPassGateway, type PassGateway } from './pass-gateway.js';

/**
 * Leaving during a lockdown is the approver's to allow (rule 4). Found from
 * outside: the manager could send a roster making a resident "medical" (a
 * lockdown-exempt role) and so let them out without an exit pass.
 */
describe('a roster sent during a lockdown', () => {
  let gw: PassGateway;

  beforeAll(async () => {
    gw = await startPassGateway();
    expect(await gw.command('manager', 'lockdown', { reason: 'confirmed case', by: 'manager-wu' })).toMatchObject({ ok: true });
  });
  afterAll(async () => gw?.stop());

  it('may not make anyone lockdown-exempt: refused, audited, and the resident still needs an exit pass', async () => {
    const promoted = RESIDENTS.map((card, i) => (i === 0 ? { ...card, role: 'medical' } : card));
    const reply = await gw.command('manager', 'roster', { version: 'r-2', cards: promoted }, 'roster-medical');
    expect(reply).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_NOT_APPLICABLE', details: ['cards[0].role: was resident'] } });
    expect(gw.audit('roster-medical')).toEqual([expect.objectContaining({ ok: 0, code: 'GW_COMMAND_NOT_APPLICABLE', role: 'manager' })]);
    const leaving = await gw.scan('out', gw.pass('resident-1'));
    expect(leaving.decision).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['EXIT_PASS_REQUIRED']) });
  });

  it('admits no one new: an outsider added as a resident is refused, and stays out', async () => {
    const added = [...RESIDENTS, { uid: '04D0000009', subject: 'stranger-21', role: 'resident', household: '9-901' }];
    const reply = await gw.command('manager', 'roster', { version: 'r-2b', cards: added });
    expect(reply).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_NOT_APPLICABLE', details: ['cards[2].subject: not on the roster before the lockdown'] } });
    const stranger = await gw.scan('in', gw.pass('stranger-21'));
    expect(stranger.decision).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['LOCKDOWN_NO_ENTRY']) });
  });

  it('may still change everything else, such as a household', async () => {
    const moved = RESIDENTS.map((card, i) => (i === 1 ? { ...card, household: '2-202' } : card));
    expect(await gw.command('manager', 'roster', { version: 'r-3', cards: moved })).toMatchObject({ ok: true });
  });
});
