import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpFixture, type HttpFixture } from '../../../support/gateway/http-fixture.js';

/**
 * Found from outside: the same `POST /api/visitors` (or `/api/exit-passes`) sent again under its
 * Idempotency-Key got 409 GW_COMMAND_REPLAYED, while docs/http.md promises the key makes a retry
 * apply once. A retry must get the first answer again; another body under the key is a conflict.
 * Through the gateway's own command service and database.
 */
let fx: HttpFixture;

beforeAll(async () => {
  fx = await startHttpFixture({ gatewayCommands: true });
});
afterAll(async () => fx?.stop());

const later = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
const count = (table: 'visitor_passes' | 'exit_passes') => (fx.harness.gateway.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

function post(url: string, role: 'guard' | 'manager' | 'approver', key: string, payload: object) {
  return fx.app.inject({ method: 'POST', url, headers: { ...fx.auth(role), 'idempotency-key': key }, payload });
}

describe('Idempotency-Key: a retried request gets the first answer again', () => {
  it('POST /api/visitors: the same body twice answers the same 200 and body, VP1 code included, and issues one pass', async () => {
    const before = count('visitor_passes');
    const visit = { subject: 'visitor-retry', hostHousehold: '1-101', plate: '闽D54321', validUntil: later(4) };
    const first = await post('/api/visitors', 'guard', 'visit-retry-0001', visit);
    const retry = await post('/api/visitors', 'guard', 'visit-retry-0001', visit);
    expect(first.statusCode).toBe(200);
    expect(first.json().code).toMatch(/^VP1:/);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual(first.json());
    expect(count('visitor_passes')).toBe(before + 1);
  });

  it('POST /api/exit-passes: the same body twice answers the same 200 and body, and issues one pass', async () => {
    const before = count('exit_passes');
    const exit = { subject: 'resident-retry', reason: 'hospital appointment', returnBy: later(6) };
    const first = await post('/api/exit-passes', 'approver', 'exit-retry-0001', exit);
    const retry = await post('/api/exit-passes', 'approver', 'exit-retry-0001', exit);
    expect(first.statusCode).toBe(200);
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toEqual(first.json());
    expect(count('exit_passes')).toBe(before + 1);
  });

  it.each([
    ['/api/visitors', 'guard', { subject: 'visitor-other', hostHousehold: '1-101', validUntil: later(4) }, { hostHousehold: '2-202' }],
    ['/api/exit-passes', 'approver', { subject: 'resident-other', reason: 'hospital appointment', returnBy: later(6) }, { returnBy: later(8) }],
  ] as const)('POST %s: another body under the same key is a conflict (409), and nothing more is issued', async (url, role, body, change) => {
    const table = url === '/api/visitors' ? 'visitor_passes' : 'exit_passes';
    const key = `other-body-${table}`;
    expect((await post(url, role, key, body)).statusCode).toBe(200);
    const before = count(table);
    const conflict = await post(url, role, key, { ...body, ...change });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ code: 'GW_COMMAND_REPLAYED' });
    expect(count(table)).toBe(before);
  });

  it("another token resending a guard's key and body gets a conflict, not the visitor's code", async () => {
    const visit = { subject: 'visitor-guarded', hostHousehold: '1-101', validUntil: later(4) };
    expect((await post('/api/visitors', 'guard', 'visit-guarded-0001', visit)).statusCode).toBe(200);
    const other = await post('/api/visitors', 'manager', 'visit-guarded-0001', visit);
    expect(other.statusCode).toBe(409);
    expect(other.body).not.toContain('VP1:');
  });
});
