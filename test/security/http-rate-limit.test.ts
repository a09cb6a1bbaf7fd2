import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiToken } from '../../src/http/api-tokens.js';
import { HttpProcess, type Role } from './http-process.js';

/** Sends `count` GETs of `path`, `parallel` at a time; the status codes. */
async function burst(gateway: HttpProcess, path: string, token: Role | string, count: number, parallel = 25): Promise<number[]> {
  const statuses: number[] = [];
  for (let sent = 0; sent < count; sent += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - sent) }, () => gateway.get(path, token).then(async (r) => (await r.arrayBuffer(), r.status)));
    statuses.push(...(await Promise.all(batch)));
  }
  return statuses;
}

const count = (statuses: number[], status: number) => statuses.filter((s) => s === status).length;

/**
 * Issue 12, Low: "The rate limit is per IP, and requests refused with 401 are
 * never counted: 700 bad-token requests got no 429, while an auditor's burst
 * made the manager get 429." Default limit: 600 requests a minute.
 */
describe('http: rate limits per token, refused tokens per address', () => {
  const gateway = new HttpProcess();

  beforeAll(() => gateway.start(), 40_000);
  afterAll(() => gateway.remove());

  it('700 requests with bad tokens are limited (429), and the manager is not', async () => {
    const statuses = await burst(gateway, '/api/lanes', generateApiToken(), 700);
    expect(count(statuses, 401)).toBeLessThanOrEqual(600);
    expect(count(statuses, 429)).toBeGreaterThanOrEqual(100);
    expect((await gateway.get('/api/lanes', 'manager')).status).toBe(200);
  }, 60_000);

  it("an auditor's burst is limited for the auditor alone: the manager and the guard go on", async () => {
    const statuses = await burst(gateway, '/api/lanes', 'auditor', 650);
    expect(count(statuses, 429)).toBeGreaterThanOrEqual(50);
    expect((await gateway.get('/api/lanes', 'auditor')).status).toBe(429);
    expect((await gateway.get('/api/lanes', 'manager')).status).toBe(200);
    expect((await gateway.get('/api/lanes', 'guard')).status).toBe(200);
  }, 60_000);
});
