import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerProcess } from './broker-process.js';

const PREFIX = 'gatewarden/test-estate';
const MAX_CONNECTIONS = 64;

/** Issue 12, observation 4: 200 of 200 parallel observer logins were admitted against a limit of 64, and then the manager was refused. */
describe('broker: one connection limit across all users', () => {
  let gateway: BrokerProcess;
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    gateway = await BrokerProcess.start();
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.end(true);
    await gateway?.stop();
  });

  it('admits at most the limit of 200 parallel observer logins from 25 hosts, and two manager consoles still get in', async () => {
    const statuses: boolean[] = [];
    const flood = await Promise.all(
      Array.from({ length: 200 }, (_, i) => gateway.login('observer', { clientId: `observer-${i}`, localAddress: `127.0.3.${1 + (i % 25)}` })),
    );
    for (const outcome of flood) {
      clients.push(outcome.client);
      outcome.client.on('error', () => {});
    }
    const admitted = flood.filter((outcome) => outcome.result === 'connected').length;
    // The gateway's own session holds one slot of the 64.
    expect(admitted).toBeGreaterThan(0);
    expect(admitted + 1).toBeLessThanOrEqual(MAX_CONNECTIONS);

    const manager = await gateway.login('manager', { clientId: 'manager-during-flood' });
    const second = await gateway.login('manager', { clientId: 'manager-second-console', localAddress: '127.0.0.7' });
    clients.push(manager.client, second.client);
    expect([manager.result, second.result]).toEqual(['connected', 'connected']);

    // The gateway was never knocked off: its retained status still says online.
    manager.client.on('message', (_topic, payload) => statuses.push((JSON.parse(payload.toString()) as { online: boolean }).online));
    await manager.client.subscribeAsync(`${PREFIX}/status`, { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(statuses).toEqual([true]);

    // A slot given back is a slot another observer can take.
    const held = flood.filter((outcome) => outcome.result === 'connected').slice(0, 3);
    await Promise.all(held.map((outcome) => outcome.client.endAsync(true)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const late = await gateway.login('observer', { clientId: 'observer-late', localAddress: '127.0.3.99' });
    clients.push(late.client);
    expect(late.result).toBe('connected');
  }, 90_000);
});
