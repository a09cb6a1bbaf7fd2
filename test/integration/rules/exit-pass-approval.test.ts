import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPassGateway, type PassGateway } from './pass-gateway.js';

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

/**
 * Estate plan, rule 4: going out during a lockdown needs the consent of the
 * local epidemic-control group (须经属地疫情防控领导小组同意). The approver
 * role issues and revokes exit passes; the estate manager cannot; every
 * issuance and refusal is audited, and a revoked pass stops granting.
 */
describe('exit passes approved by the local epidemic-control group', () => {
  let gw: PassGateway;
  const exitPassRows = () => gw.harness.gateway.db.prepare('SELECT id, revoked_at FROM exit_passes ORDER BY id').all() as Array<{ id: string; revoked_at: number | null }>;

  beforeAll(async () => {
    gw = await startPassGateway();
    expect(await gw.command('manager', 'lockdown', { reason: 'confirmed case in block 3', by: 'manager-zhang' })).toMatchObject({ ok: true });
  });
  afterAll(async () => gw?.stop());

  it('refuses an exit pass from the manager, with a reply and an audit row, and stores nothing', async () => {
    const reply = await gw.command('manager', 'exit-pass', { passId: 'E-mgr', subject: 'resident-1', reason: 'hospital', returnBy: inHours(4), by: 'manager-zhang' }, 'exit-by-manager');
    expect(reply).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_UNAUTHORIZED', message: 'role manager may not issue exit-pass' } });
    expect(gw.audit('exit-by-manager')).toEqual([{ ok: 0, code: 'GW_COMMAND_UNAUTHORIZED', role: 'manager', principal: 'test-manager' }]);
    expect(exitPassRows()).toEqual([]);
    expect((await gw.scan('out', gw.pass('resident-1'))).decision).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['EXIT_PASS_REQUIRED']) });
  });

  it('lets the approver issue one: audited, and the resident goes out on it', async () => {
    const reply = await gw.command('approver', 'exit-pass', { passId: 'E-1', subject: 'resident-1', reason: 'dialysis', returnBy: inHours(4), by: 'approver-chen' }, 'exit-by-approver');
    expect(reply).toEqual({ id: 'exit-by-approver', ok: true, data: { passId: 'E-1', returnBy: expect.any(String) } });
    expect(gw.audit('exit-by-approver')).toEqual([{ ok: 1, code: null, role: 'approver', principal: 'test-approver' }]);
    expect((await gw.scan('out', gw.pass('resident-1'))).decision).toMatchObject({ verdict: 'grant', reasons: expect.arrayContaining(['EXIT_PASS_VALID']) });
  });

  it('marks the pass left and returned in the transactions that record the passages', async () => {
    const passes = () => gw.harness.gateway.db.prepare("SELECT left_at, returned_at FROM exit_passes WHERE id = 'E-1'").get();
    const out = gw.harness.gateway.db.prepare("SELECT at FROM passages WHERE verdict = 'grant' AND direction = 'out' ORDER BY at DESC LIMIT 1").get() as { at: number };
    // Nothing else waits to commit: the marks were in the passages' own units, not written after them.
    expect(passes()).toEqual({ left_at: out.at, returned_at: null });
    const back = await gw.scan('in', gw.pass('resident-1'));
    expect(back.decision.verdict).toBe('grant');
    expect(passes()).toEqual({ left_at: out.at, returned_at: back.at });
  });

  it('gives the approver nothing else: lists, lockdown and visitor passes are refused', async () => {
    for (const [name, body] of [
      ['lists', { list: 'quarantine', op: 'add', version: 'q-x', entries: [{ subject: 'resident-2' }] }],
      ['mode', { mode: 'normal', reason: 'over', by: 'approver-chen' }],
      ['visitor', { passId: 'V-x', subject: 'visitor-1', hostHousehold: '1-101', validFrom: inHours(0), validUntil: inHours(2), by: 'approver-chen' }],
    ] as const) {
      expect(await gw.command('approver', name, body), name).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_UNAUTHORIZED' } });
    }
  });

  it('a revoked exit pass stops granting; only the approver may revoke it', async () => {
    expect(await gw.command('approver', 'exit-pass', { passId: 'E-2', subject: 'resident-2', reason: 'funeral', returnBy: inHours(6), by: 'approver-chen' })).toMatchObject({ ok: true });
    const byManager = await gw.command('manager', 'revoke-pass', { pass: 'exit', passId: 'E-2', reason: 'not allowed to', by: 'manager-zhang' }, 'revoke-by-manager');
    expect(byManager).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_UNAUTHORIZED' } });
    expect(gw.audit('revoke-by-manager')).toEqual([{ ok: 0, code: 'GW_COMMAND_UNAUTHORIZED', role: 'manager', principal: 'test-manager' }]);
    expect(exitPassRows().find((row) => row.id === 'E-2')?.revoked_at).toBeNull();

    const revoked = await gw.command('approver', 'revoke-pass', { pass: 'exit', passId: 'E-2', reason: 'the funeral was postponed', by: 'approver-chen' }, 'revoke-by-approver');
    expect(revoked).toMatchObject({ ok: true, data: { pass: 'exit', passId: 'E-2', revokedAt: expect.any(String) } });
    expect(gw.audit('revoke-by-approver')).toEqual([{ ok: 1, code: null, role: 'approver', principal: 'test-approver' }]);
    expect(exitPassRows().find((row) => row.id === 'E-2')?.revoked_at).toEqual(expect.any(Number));
    expect((await gw.scan('out', gw.pass('resident-2'))).decision).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['EXIT_PASS_REQUIRED']) });

    // Twice is harmless and says so; a revoked id cannot be issued again; an unknown id is refused.
    expect(await gw.command('approver', 'revoke-pass', { pass: 'exit', passId: 'E-2', reason: 'again', by: 'approver-chen' })).toMatchObject({ ok: true, warnings: [expect.stringMatching(/already revoked/)] });
    expect(await gw.command('approver', 'exit-pass', { passId: 'E-2', subject: 'resident-2', reason: 'funeral', returnBy: inHours(6), by: 'approver-chen' })).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_NOT_APPLICABLE' } });
    expect(await gw.command('approver', 'revoke-pass', { pass: 'exit', passId: 'E-none', reason: 'typo', by: 'approver-chen' })).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_NOT_APPLICABLE' } });
  });

  it('warns when the subject matches no known person, and reads a roster UID as its holder', async () => {
    const stranger = await gw.command('approver', 'exit-pass', { passId: 'E-3', subject: 'resident-99', reason: 'shopping', returnBy: inHours(2), by: 'approver-chen' }, 'exit-stranger');
    expect(stranger).toMatchObject({ ok: true, warnings: [expect.stringMatching(/^subject [\w-]{22} matches no roster card, visitor registration or recorded passage$/)] });
    // The warning is in the audit trail with the reply.
    const audited = gw.harness.gateway.db.prepare('SELECT reply FROM audit WHERE command_id = ?').get('exit-stranger') as { reply: string };
    expect(JSON.parse(audited.reply)).toMatchObject({ warnings: stranger.warnings });
    // …naming the subject by its keyed hash only (issue 12, observation 3).
    expect(audited.reply).not.toContain('resident-99');

    const byUid = await gw.command('approver', 'exit-pass', { passId: 'E-4', subject: '04aabbcc02', reason: 'pharmacy', returnBy: inHours(2), by: 'approver-chen' });
    expect(byUid).toMatchObject({ ok: true });
    expect(byUid.warnings).toBeUndefined();
    expect((await gw.scan('out', gw.pass('resident-2'))).decision).toMatchObject({ verdict: 'grant', reasons: expect.arrayContaining(['EXIT_PASS_VALID']) });
  });
});
