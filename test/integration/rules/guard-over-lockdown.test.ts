import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startPassGateway, type PassGateway } from './pass-gateway.js';

/**
 * A guard may start a lockdown but not lift one (estate plan, rule 9). Found
 * from outside: a guard setting the lockdown again over a manager's, with an
 * expiry 12 s away or as a drill, replaced it, so it ended 12 s later (or went
 * unenforced under the manager's next drill), and the audit said only "lockdown
 * by guard, ok". A role that may not lift a mode may now only make one stronger.
 */
describe('a guard setting a mode over one in force', () => {
  let gw: PassGateway;
  const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
  const estate = () => gw.harness.gateway.estate.activeModes().get('estate');
  const replyOf = (id: string) => JSON.parse((gw.harness.gateway.db.prepare('SELECT reply FROM audit WHERE command_id = ?').get(id) as { reply: string }).reply) as unknown;
  const strangerIn = async (sub: string) => (await gw.scan('in', gw.pass(sub))).decision;
  const managersLockdown = { reason: 'confirmed case bldg 3', by: 'manager-zhang' };

  beforeAll(async () => {
    gw = await startPassGateway();
  });
  afterAll(async () => gw?.stop());
  beforeEach(async () => {
    expect(await gw.command('manager', 'mode', { mode: 'normal', reason: 'CDC lifted it', by: 'manager-zhang' })).toMatchObject({ ok: true });
    expect(await gw.command('manager', 'lockdown', managersLockdown)).toMatchObject({ ok: true });
  });

  it('refuses an expiring lockdown over a manager\'s, audits why, and the lockdown outlives that time', async () => {
    const expiresAt = soon(1000);
    const reply = await gw.command('guard', 'lockdown', { reason: 'tweak', by: 'guard-li', expiresAt }, 'guard-short');
    expect(reply).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_UNAUTHORIZED', message: expect.stringMatching(/role guard may not weaken the lockdown in force/), details: [expect.stringMatching(/^estate: expiresAt: the lockdown by manager-zhang \(confirmed case bldg 3\) runs until lifted/)] } });
    expect(gw.audit('guard-short')).toEqual([{ ok: 0, code: 'GW_COMMAND_UNAUTHORIZED', role: 'guard', principal: 'test-guard' }]);
    expect(replyOf('guard-short')).toEqual(reply);
    expect(estate()).toMatchObject({ mode: 'lockdown', ...managersLockdown, expiresAt: null, drill: false });
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) + 100 - Date.now()));
    expect(await strangerIn('stranger-1')).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['LOCKDOWN_NO_ENTRY']) });
  });

  it('refuses to relabel a real lockdown a drill: a manager\'s drill without enforcement still keeps outsiders out', async () => {
    const reply = await gw.command('guard', 'lockdown', { reason: 'only a drill', by: 'guard-li', drill: true }, 'guard-drill');
    expect(reply).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_UNAUTHORIZED', details: [expect.stringMatching(/^estate: drill: the lockdown by manager-zhang .* is real/)] } });
    expect(gw.audit('guard-drill')).toEqual([{ ok: 0, code: 'GW_COMMAND_UNAUTHORIZED', role: 'guard', principal: 'test-guard' }]);
    expect(estate()).toMatchObject({ drill: false, by: 'manager-zhang' });
    expect(await gw.command('manager', 'drill', { drillId: 'tabletop-1', scenario: 'tabletop', enforce: false, by: 'manager-zhang' })).toMatchObject({ ok: true });
    const stranger = await strangerIn('stranger-2');
    expect(stranger).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['LOCKDOWN_NO_ENTRY']) });
    expect(stranger.reasons).not.toContain('DRILL_NOT_ENFORCED');
    expect(await gw.command('manager', 'drill', { drillId: 'tabletop-1', action: 'stop', by: 'manager-zhang' })).toMatchObject({ ok: true });
  });

  it('refuses the same lockdown again, naming the one in force, which keeps its author and reason', async () => {
    const reply = await gw.command('guard', 'lockdown', { reason: 'tweak', by: 'guard-li' }, 'guard-same');
    expect(reply).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_NOT_APPLICABLE', message: expect.stringMatching(/^estate is already in lockdown by manager-zhang \(confirmed case bldg 3\) since /) } });
    expect(gw.audit('guard-same')).toEqual([{ ok: 0, code: 'GW_COMMAND_NOT_APPLICABLE', role: 'guard', principal: 'test-guard' }]);
    expect(estate()).toMatchObject(managersLockdown);
  });

  it('lets a guard make a lockdown stronger, and says in the reply which one it replaced', async () => {
    const until = soon(3_600_000);
    expect(await gw.command('manager', 'lockdown', { ...managersLockdown, expiresAt: until })).toMatchObject({ ok: true });
    const longer = await gw.command('guard', 'lockdown', { reason: 'second case', by: 'guard-li' }, 'guard-longer');
    expect(longer).toMatchObject({ ok: true, warnings: [expect.stringMatching(new RegExp(`^estate: was lockdown by manager-zhang \\(confirmed case bldg 3\\) since .*, until ${until}, real$`))] });
    expect(replyOf('guard-longer')).toEqual(longer);
    expect(estate()).toMatchObject({ mode: 'lockdown', by: 'guard-li', reason: 'second case', expiresAt: null, drill: false });
  });

  it('leaves the manager free to replace a lockdown with a shorter one: the manager may lift it anyway', async () => {
    const expiresAt = soon(800);
    expect(await gw.command('manager', 'lockdown', { reason: 'lifted at noon', by: 'manager-zhang', expiresAt })).toMatchObject({ ok: true, warnings: [expect.stringMatching(/^estate: was lockdown by manager-zhang/)] });
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) + 100 - Date.now()));
    expect(await strangerIn('stranger-3')).toMatchObject({ verdict: 'grant' });
  });

  it('lets a guard open the gates over a lockdown in an emergency until it is ended, not for a time that would end the lockdown with it', async () => {
    const timed = await gw.command('guard', 'mode', { mode: 'emergency-open', reason: 'fire in block 2', by: 'guard-li', expiresAt: soon(1000) });
    expect(timed).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_UNAUTHORIZED', details: [expect.stringMatching(/^estate: expiresAt: /)] } });
    expect(await gw.command('guard', 'mode', { mode: 'emergency-open', reason: 'fire in block 2', by: 'guard-li' })).toMatchObject({ ok: true });
    expect(await gw.command('guard', 'lockdown', { reason: 'fire out', by: 'guard-li', expiresAt: soon(1000) })).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_UNAUTHORIZED', details: [expect.stringMatching(/^estate: expiresAt: the emergency-open by guard-li/)] } });
    expect(await gw.command('guard', 'lockdown', { reason: 'fire out', by: 'guard-li' })).toMatchObject({ ok: true });
    expect(await strangerIn('stranger-4')).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['LOCKDOWN_NO_ENTRY']) });
  });

  it('does not let a gate\'s drill lockdown tag the passages of a gate under the estate\'s real lockdown as a drill', async () => {
    expect(await gw.command('guard', 'lockdown', { reason: 'drill at the main gate', by: 'guard-li', gates: ['main'], drill: true })).toMatchObject({ ok: true });
    const stranger = await gw.scan('in', gw.pass('stranger-5'));
    expect(stranger.decision).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['LOCKDOWN_NO_ENTRY']) });
    expect(stranger.drill).toBeUndefined();
  });
});
