import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerProcess } from './broker-process.js';

const PREFIX = 'gatewarden/test-estate';
/** The gateway's own session id: `mqtt.clientId`, by default `gatewarden-<estate>`. */
const GATEWAY_ID = 'gatewarden-test-estate';

/**
 * Issue 12, observation 2: any user, even the read-only observer, took over
 * the gateway's client id and knocked it off its own broker; and a will on a
 * command topic fired as a command on disconnect.
 */
describe('broker: client ids are bound to users, and no will carries a command', () => {
  let gateway: BrokerProcess;
  let watcher: MqttClient;
  const statuses: Array<{ online: boolean }> = [];
  const replies: string[] = [];
  const clients: MqttClient[] = [];

  beforeAll(async () => {
    gateway = await BrokerProcess.start();
    const login = await gateway.login('manager', { clientId: 'manager-watcher' });
    expect(login.result).toBe('connected');
    watcher = login.client;
    watcher.on('message', (topic, payload) => {
      if (topic === `${PREFIX}/status`) statuses.push(JSON.parse(payload.toString()) as { online: boolean });
      else replies.push(topic);
    });
    await watcher.subscribeAsync([`${PREFIX}/status`, `${PREFIX}/cmd/+/reply`], { qos: 1 });
  }, 60_000);

  afterAll(async () => {
    for (const client of clients) client.end(true);
    await watcher?.endAsync(true);
    await gateway?.stop();
  });

  const attempt = async (username: string, clientId: string, extra: Parameters<BrokerProcess['login']>[1] = {}) => {
    const outcome = await gateway.login(username, { clientId, ...extra });
    clients.push(outcome.client);
    outcome.client.on('error', () => {});
    return outcome;
  };

  it("refuses the gateway's client id to every other user with CONNACK 2, and the gateway stays online", async () => {
    const gatewayConnects = () => gateway.lines.filter((line) => line.msg === 'connected to MQTT broker').length;
    const takeovers = () => gateway.lines.filter((line) => String(line.msg).includes('takeover attempt')).length;
    // Counted from this attempt on, so a retry judges its own five logins.
    const before = gatewayConnects();
    const takeoversBefore = takeovers();
    for (const username of ['observer', 'manager', 'observer', 'approver', 'manager']) {
      const outcome = await attempt(username, GATEWAY_ID);
      expect({ username, result: outcome.result, code: outcome.code }).toEqual({ username, result: 'refused', code: 2 });
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((status) => status.online)).toBe(true);
    expect(gatewayConnects()).toBe(before);
    expect(takeovers() - takeoversBefore).toBe(5);
  }, 30_000);

  it("refuses an id that starts with another user's name, and leaves that user's session alone", async () => {
    const manager = await attempt('manager', 'manager-console');
    expect(manager.result).toBe('connected');
    const observer = await attempt('observer', 'manager-console');
    expect(observer).toMatchObject({ result: 'refused', code: 2 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(manager.client.connected).toBe(true);
  });

  it('accepts ids of the user\'s own, and a library\'s random default id without taking anything over', async () => {
    expect((await attempt('observer', 'observer-tablet')).result).toBe('connected');
    const first = await attempt('observer', 'mqttjs_shared1');
    const second = await attempt('approver', 'mqttjs_shared1');
    expect([first.result, second.result]).toEqual(['connected', 'connected']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Filed under each user's name: the approver's session did not replace the observer's.
    expect(first.client.connected).toBe(true);
  });

  it('refuses a will on a command topic even from a user who may send that command, so it never fires', async () => {
    const will = { topic: `${PREFIX}/cmd/lockdown`, payload: Buffer.from(JSON.stringify({ id: 'will-lockdown-1', v: 1, reason: 'will' })), qos: 1 as const, retain: false };
    const outcome = await attempt('manager', 'manager-with-will', { will, keepalive: 1 });
    expect(outcome).toMatchObject({ result: 'refused', code: 5 });
    // Had it been admitted, dropping the stream would fire the will as a lockdown and bring a reply.
    (outcome.client.stream as { destroy?: () => void }).destroy?.();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(replies.filter((topic) => topic === `${PREFIX}/cmd/lockdown/reply`)).toEqual([]);
  }, 15_000);
});
