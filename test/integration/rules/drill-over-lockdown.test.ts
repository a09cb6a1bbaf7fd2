import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPassGateway, type PassGateway } from './pass-gateway.js';

/**
 * A drill never relaxes a real lockdown (estate plan, rule 8 beside rule 4).
 * Found from outside: a manager starting a drill without enforcement during a
 * real lockdown let a resident out with no exit pass and a stranger in.
 */
describe('a drill during a real lockdown', () => {
  let gw: PassGateway;

  beforeAll(async () => {
    gw = await startPassGateway();
  });
  afterAll(async () => gw?.stop());

  it('keeps the lockdown enforced: no exit without a pass, no stranger in', async () => {
    expect(await gw.command('manager', 'lockdown', { reason: 'confirmed case', by: 'manager-wu' })).toMatchObject({ ok: true });
    expect(await gw.command('manager', 'drill', { drillId: 'dr-1', scenario: 'tabletop', enforce: false, by: 'manager-wu' })).toMatchObject({ ok: true });
    const leaving = await gw.scan('out', gw.pass('resident-1'));
    expect(leaving.decision).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['EXIT_PASS_REQUIRED']) });
    expect(leaving.decision.reasons).not.toContain('DRILL_NOT_ENFORCED');
    const stranger = await gw.scan('in', gw.pass('stranger-9'));
    expect(stranger.decision).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['LOCKDOWN_NO_ENTRY']) });
  });

  it('lets a lockdown set as part of the exercise go unenforced while the drill runs, recorded as such', async () => {
    expect(await gw.command('manager', 'mode', { mode: 'normal', reason: 'lifted', by: 'manager-wu' })).toMatchObject({ ok: true });
    expect(await gw.command('manager', 'lockdown', { reason: 'exercise', by: 'manager-wu', drill: true })).toMatchObject({ ok: true });
    const stranger = await gw.scan('in', gw.pass('stranger-8'));
    expect(stranger.decision).toMatchObject({ verdict: 'grant', reasons: expect.arrayContaining(['LOCKDOWN_NO_ENTRY', 'DRILL_NOT_ENFORCED']) });
  });

  it('lifts every scope when the estate returns to normal: no gate is left in lockdown (found from outside)', async () => {
    expect(await gw.command('manager', 'drill', { drillId: 'dr-1', action: 'stop', by: 'manager-wu' })).toMatchObject({ ok: true });
    expect(await gw.command('manager', 'lockdown', { reason: 'case at the main gate', by: 'manager-wu', gates: ['main'] })).toMatchObject({ ok: true });
    expect((await gw.scan('in', gw.pass('stranger-7'))).decision).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['LOCKDOWN_NO_ENTRY']) });
    expect(await gw.command('manager', 'mode', { mode: 'normal', reason: 'CDC lifted it', by: 'manager-wu' })).toMatchObject({ ok: true, data: { scopes: ['estate', 'main'] } });
    expect((await gw.scan('in', gw.pass('stranger-6'))).decision).toMatchObject({ verdict: 'grant' });
  });

  it('follows drill commands and a drill\'s end time from the next decision on', async () => {
    const drillAt = async () => (await gw.scan('in', gw.pass('resident-2'))).drill === true;
    expect(await drillAt()).toBe(false);
    const endsAt = Date.now() + 1500;
    expect(await gw.command('manager', 'drill', { drillId: 'dr-2', scenario: 'fire', endsAt: new Date(endsAt).toISOString(), by: 'manager-wu' })).toMatchObject({ ok: true });
    expect(await drillAt()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, endsAt + 50 - Date.now()));
    expect(await drillAt()).toBe(false);
    expect(await gw.command('manager', 'drill', { drillId: 'dr-3', scenario: 'flood', by: 'manager-wu' })).toMatchObject({ ok: true });
    expect(await drillAt()).toBe(true);
    expect(await gw.command('manager', 'drill', { drillId: 'dr-3', action: 'stop', by: 'manager-wu' })).toMatchObject({ ok: true });
    expect(await drillAt()).toBe(false);
  });
});
