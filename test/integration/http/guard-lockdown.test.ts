import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpFixture, type HttpFixture } from '../../../support/gateway/http-fixture.js';

/**
 * The guard-room API over the gateway's own command service. Found from
 * outside: a guard, refused `POST /api/mode/lift`, ended a manager's lockdown
 * anyway with `POST /api/mode/lockdown` and an expiry 12 s away, or relabelled
 * it a drill, and the audit trail showed only an accepted lockdown.
 */
describe('POST /api/mode/lockdown by a guard over a manager\'s lockdown', () => {
  let fx: HttpFixture;
  const post = (url: string, role: 'guard' | 'manager', payload: Record<string, unknown>) => fx.app.inject({ method: 'POST', url, headers: fx.auth(role), payload });
  const mode = async () => (await fx.app.inject({ url: '/api/mode', headers: fx.auth('guard') })).json();

  beforeAll(async () => {
    fx = await startHttpFixture({ gatewayCommands: true });
    expect((await post('/api/mode/lockdown', 'manager', { reason: 'confirmed case bldg 3' })).statusCode).toBe(200);
  });
  afterAll(async () => fx?.stop());

  it('refuses to shorten or relabel it (403, saying why), and the lockdown outlives the expiry asked for', async () => {
    expect((await post('/api/mode/lift', 'guard', { reason: 'enough of this' })).statusCode).toBe(403);
    const expiresAt = new Date(Date.now() + 1000).toISOString();
    const shorter = await post('/api/mode/lockdown', 'guard', { reason: 'tweak', expiresAt });
    expect(shorter.statusCode).toBe(403);
    expect(shorter.json()).toMatchObject({ code: 'GW_COMMAND_UNAUTHORIZED', detail: expect.stringMatching(/role guard may not weaken/), errors: [expect.stringMatching(/^estate: expiresAt: the lockdown by test-manager \(confirmed case bldg 3\) runs until lifted/)] });
    const drill = await post('/api/mode/lockdown', 'guard', { reason: 'only a drill', drill: true });
    expect(drill.statusCode).toBe(403);
    expect(drill.json().errors).toEqual([expect.stringMatching(/^estate: drill: the lockdown by test-manager .* is real/)]);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) + 100 - Date.now()));
    expect(await mode()).toMatchObject({ estate: 'lockdown', gates: { main: 'lockdown' }, scopes: [{ scope: 'estate', by: 'test-manager', reason: 'confirmed case bldg 3', expiresAt: null, drill: false }] });
  });

  it('shows the refusals, and why, in the audit trail', async () => {
    const audit = (await fx.app.inject({ url: '/api/audit?name=lockdown', headers: fx.auth('manager') })).json();
    expect(audit.items.map((row: Record<string, unknown>) => [row.principal, row.ok, row.errorCode])).toEqual([
      ['test-guard', false, 'GW_COMMAND_UNAUTHORIZED'],
      ['test-guard', false, 'GW_COMMAND_UNAUTHORIZED'],
      ['test-manager', true, null],
    ]);
    expect(audit.items[0]).toMatchObject({ body: { drill: true }, message: expect.stringMatching(/role guard may not weaken the lockdown in force/) });
    expect(audit.items[1]).toMatchObject({ body: { reason: 'tweak' }, message: expect.stringMatching(/role guard may not weaken/) });
  });

  it('answers a lockdown that replaces another with what it replaced', async () => {
    const response = await post('/api/mode/lockdown', 'manager', { reason: 'second case', gates: ['main'] });
    expect(response.statusCode).toBe(200);
    const longer = await post('/api/mode/lockdown', 'manager', { reason: 'second case, whole estate' });
    expect(longer.json()).toMatchObject({ estate: 'lockdown', warnings: [expect.stringMatching(/^estate: was lockdown by test-manager \(confirmed case bldg 3\) since .*, until lifted, real$/)] });
    const audit = (await fx.app.inject({ url: '/api/audit?name=lockdown&limit=1', headers: fx.auth('auditor') })).json();
    expect(audit.items[0]).toMatchObject({ ok: true, message: null, warnings: longer.json().warnings });
  });
});
