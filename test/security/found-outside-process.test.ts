import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCommand } from '../../src/contract/signature.js';
import { generateEd25519 } from '../../src/secrets.js';
import { CommandsProcess, lockdownBody, type Seen } from './commands-process.js';

/**
 * What the outside test of 2026-11-30 broke, tried again the same way: against the real process
 * (`node dist/cli.js start`, build first), through its MQTT and HTTP ports and the SQLite file only.
 */
describe('found from outside, on the real process', () => {
  const gw = new CommandsProcess();
  const district = generateEd25519('district-1');
  let manager: { seen: Seen[]; publish: (name: string, body: Record<string, unknown>) => Promise<unknown> };
  const mode = async () => (await (await gw.http('GET', '/api/mode', 'guard')).json()) as { estate: string; scopes: Array<{ by: string; expiresAt: string | null; drill: boolean }> };

  beforeAll(async () => {
    await gw.start({ commands: { keys: [{ kid: district.kid, publicKey: district.publicKey, role: 'district' }] } });
    const { client, seen } = await gw.client('manager', ['cmd/+/reply']);
    manager = { seen, publish: (name, body) => client.publishAsync(`${gw.prefix}/cmd/${name}`, JSON.stringify(body), { qos: 1 }) };
  }, 60_000);

  afterAll(() => gw.stop());

  it('a guard cannot end or relabel a manager\'s lockdown by setting their own over it (HTTP 403, audited)', async () => {
    expect((await gw.http('POST', '/api/mode/lockdown', 'manager', { reason: 'confirmed case bldg 3' })).status).toBe(200);
    expect((await gw.http('POST', '/api/mode/lockdown', 'guard', { reason: 'tweak', expiresAt: new Date(Date.now() + 1000).toISOString() })).status).toBe(403);
    expect((await gw.http('POST', '/api/mode/lockdown', 'guard', { reason: 'only a drill', drill: true })).status).toBe(403);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await mode()).toMatchObject({ estate: 'lockdown', scopes: [{ expiresAt: null, drill: false }] });
    expect(gw.audit("via = 'http' AND name = 'lockdown' AND ok = 0").map((row) => row.code)).toEqual(['GW_COMMAND_UNAUTHORIZED', 'GW_COMMAND_UNAUTHORIZED']);
    expect((await gw.http('POST', '/api/mode/lift', 'manager', { reason: 'cleared' })).status).toBe(200);
  }, 30_000);

  it('takes a district-signed command only when its signed body names this estate', async () => {
    const sign = (id: string, fields: Record<string, unknown>) => signCommand(lockdownBody(id, { by: 'cdc', ...fields }), district);
    await manager.publish('lockdown', sign('district-bare', {}));
    expect(await gw.replyOn(manager.seen, 'lockdown', (r) => r.id === 'district-bare')).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_BAD_SIGNATURE' } });
    await manager.publish('lockdown', sign('district-other', { estate: 'rose-court' }));
    expect(await gw.replyOn(manager.seen, 'lockdown', (r) => r.id === 'district-other')).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_INVALID' } });
    expect((await mode()).estate).toBe('normal');
    await manager.publish('lockdown', sign('district-here', { estate: 'test-estate' }));
    expect(await gw.replyOn(manager.seen, 'lockdown', (r) => r.id === 'district-here')).toMatchObject({ ok: true });
    expect((await mode()).estate).toBe('lockdown');
    expect(gw.audit("command_id LIKE 'district-%'").map((row) => [row.id, row.code])).toEqual([
      ['district-bare', 'GW_COMMAND_BAD_SIGNATURE'],
      ['district-other', 'GW_COMMAND_INVALID'],
      ['district-here', null],
    ]);
  }, 30_000);

  it('lets eight consoles of one host log in at once with the right password', async () => {
    const password = gw.secrets.mqttPasswords.observer ?? '';
    const codes = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        mqtt.connectAsync(gw.brokerUrl, { username: 'observer', password, clientId: `observer-burst-${i}`, reconnectPeriod: 0, connectTimeout: 10_000 }).then(
          async (client) => {
            await client.endAsync();
            return 0;
          },
          (error: Error & { code?: number }) => error.code ?? -1,
        ),
      ),
    );
    expect(codes).toEqual(Array(8).fill(0));
  }, 30_000);

  it('answers a visitor registration retried under its Idempotency-Key with the first answer, and refuses 31 February', async () => {
    const visit = { subject: 'visitor-retry', hostHousehold: '1-101', validUntil: new Date(Date.now() + 4 * 3_600_000).toISOString() };
    const post = (body: unknown) =>
      fetch(`${gw.apiUrl}/api/visitors`, { method: 'POST', headers: { authorization: `Bearer ${gw.tokens.guard ?? ''}`, 'content-type': 'application/json', 'idempotency-key': 'visit-retry-0001' }, body: JSON.stringify(body) });
    const first = await post(visit);
    const retry = await post(visit);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(await first.json());
    expect((await gw.http('POST', '/api/visitors', 'guard', { ...visit, validUntil: '2027-02-31T10:00:00Z' })).status).toBe(400);
  }, 30_000);
});
