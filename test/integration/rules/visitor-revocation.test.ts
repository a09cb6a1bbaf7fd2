import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../support/gateway/gateway-harness.js';
import { startPassGateway, type PassGateway } from './pass-gateway.js';

const RISK_AREA = '350502';

/**
 * A visitor pass can be revoked (issue 11; `visitor_passes.revoked_at`). The
 * visitor comes from a risk area and was let in on the negative test shown at
 * registration (rule 2); once the guard revokes the pass, the registration
 * counts for nothing: the pass alone is invalid, and with the health pass the
 * visitor is back to a risk-area arrival without a test.
 */
describe('a revoked visitor pass', () => {
  let gw: PassGateway;
  let code = '';
  /**
   * The visitor shows the visitor pass, then their health pass: the lane's decisions, in order. A valid
   * visitor pass waits for the health pass (one decision); a revoked one is refused at once, and the
   * health pass after it is screened on its own (two).
   */
  const show = async (decisions: 1 | 2) => {
    const seen = gw.harness.passages.length;
    await gw.scan('in', code, gw.pass('visitor-7', { origin: RISK_AREA }));
    await waitFor(() => gw.harness.passages.length >= seen + decisions, `${decisions} decision(s) for visitor-7`);
    return gw.harness.passages.slice(seen).map((passage) => passage.decision);
  };

  beforeAll(async () => {
    gw = await startPassGateway();
    expect(await gw.command('district', 'lists', { list: 'risk-areas', version: 'r-1', entries: [{ code: RISK_AREA, level: 'high' }] })).toMatchObject({ ok: true });
    const reply = await gw.command('guard', 'visitor', {
      passId: 'V-7',
      subject: 'visitor-7',
      hostHousehold: '1-101',
      origin: RISK_AREA,
      testedNegativeAt: new Date(Date.now() - 3_600_000).toISOString(),
      validFrom: new Date(Date.now() - 60_000).toISOString(),
      validUntil: new Date(Date.now() + 3_600_000).toISOString(),
      by: 'guard-li',
    });
    code = String((reply.data as { code: string }).code);
  });
  afterAll(async () => gw?.stop());

  it('grants before the revocation and stops granting after it; only gate staff may revoke it', async () => {
    expect(await show(1)).toEqual([expect.objectContaining({ verdict: 'grant', reasons: expect.arrayContaining(['VISITOR_PASS_VALID']) })]);

    expect(await gw.command('approver', 'revoke-pass', { pass: 'visitor', passId: 'V-7', reason: 'not my business', by: 'approver-chen' })).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_UNAUTHORIZED' } });
    const reply = await gw.command('guard', 'revoke-pass', { pass: 'visitor', passId: 'V-7', reason: 'host cancelled the visit', by: 'guard-li' }, 'revoke-v7');
    expect(reply).toMatchObject({ ok: true, data: { pass: 'visitor', passId: 'V-7' } });
    expect(gw.audit('revoke-v7')).toEqual([{ ok: 1, code: null, role: 'guard', principal: 'test-guard' }]);
    expect(gw.harness.gateway.estate.registry?.visitorPass('V-7')).toMatchObject({ revoked: true });

    const [revoked, withPass] = await show(2);
    expect(revoked).toMatchObject({ verdict: 'deny', reasons: ['VISITOR_PASS_INVALID'] });
    expect(withPass?.verdict).not.toBe('grant');
    expect(withPass?.reasons).toContain('RISK_AREA_NO_TEST');
    const alone = (await gw.scan('in', code)).decision;
    expect(alone.verdict).not.toBe('grant');
    expect(alone.reasons).toContain('VISITOR_PASS_INVALID');
    // Revoked while the visitor waits for their health pass (found from outside: the pass read at the scan still
    // opened): the lane reads the visitor pass again when it decides.
    const v8 = String(((await gw.command('guard', 'visitor', { passId: 'V-8', subject: 'visitor-8', hostHousehold: '1-101', validFrom: new Date(Date.now() - 60_000).toISOString(), validUntil: new Date(Date.now() + 3_600_000).toISOString(), by: 'guard-li' })).data as { code: string }).code);
    const seen = gw.harness.passages.length;
    gw.harness.thermometer('in-thermo').present(36.5);
    gw.harness.scanner('in-scanner').scan(v8);
    await waitFor(() => gw.harness.gateway.lanes.get('main/in')?.phase === 'awaiting-code', 'the lane waiting for the health pass');
    expect(await gw.command('guard', 'revoke-pass', { pass: 'visitor', passId: 'V-8', reason: 'host cancelled', by: 'guard-li' })).toMatchObject({ ok: true });
    gw.harness.scanner('in-scanner').scan(gw.pass('visitor-8'));
    const decided = await waitFor(() => gw.harness.passages[seen], 'the decision on V-8');
    expect(decided.decision).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['VISITOR_PASS_INVALID']) });
    await waitFor(() => gw.harness.gateway.lanes.get('main/in')?.phase === 'idle', 'the lane idle again');

    // The kind of pass is part of the command: a guard may not revoke an exit pass.
    expect(await gw.command('guard', 'revoke-pass', { pass: 'exit', passId: 'V-7', reason: 'wrong kind', by: 'guard-li' })).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_UNAUTHORIZED' } });
  });
});
