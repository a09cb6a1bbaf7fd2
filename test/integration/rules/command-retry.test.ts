import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPassGateway, type PassGateway } from './pass-gateway.js';

/**
 * A command resent with its id (its first reply was lost) is applied once and
 * answered again, but its data (a visitor's VP1 code) goes back only to whoever
 * sent it first. Found from outside: a guard console resending a manager's
 * visitor command it had seen got the visitor's code.
 */
describe('a command resent with the same id', () => {
  let gw: PassGateway;
  const body = {
    passId: 'V-retry',
    subject: 'visitor-retry',
    hostHousehold: '1-101',
    validFrom: new Date(Date.now() - 60_000).toISOString(),
    validUntil: new Date(Date.now() + 3_600_000).toISOString(),
    by: 'manager-wu',
  };

  beforeAll(async () => {
    gw = await startPassGateway();
  });
  afterAll(async () => gw?.stop());

  it('gives the code back to its sender only; another console learns that it was applied, and both resends are audited', async () => {
    const first = await gw.command('manager', 'visitor', body, 'visitor-retry-1');
    expect(first).toMatchObject({ ok: true, data: { code: expect.stringMatching(/^VP1:/) } });
    const byGuard = await gw.command('guard', 'visitor', body, 'visitor-retry-1');
    expect(byGuard).toEqual({ id: 'visitor-retry-1', ok: true });
    const bySender = await gw.command('manager', 'visitor', body, 'visitor-retry-1');
    expect(bySender).toMatchObject({ ok: true, data: { code: (first as { data: { code: string } }).data.code } });
    expect(gw.audit('visitor-retry-1').map((row) => row.principal)).toEqual(['test-manager', 'test-guard', 'test-manager']);
  });
});
