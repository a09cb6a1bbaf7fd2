import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';

interface Reply {
  id: string;
  ok: boolean;
  error?: { code: string };
}

describe('MQTT commands on the embedded broker', () => {
  let harness: Harness;
  let manager: MqttClient;
  const replies: Reply[] = [];
  const prefix = 'gatewarden/test-estate';

  const connect = async (user: string) => {
    const client = mqtt.connect(harness.gateway.mqtt.url, { username: user, password: harness.gateway.secrets.mqttPasswords[user], reconnectPeriod: 0 });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    return client;
  };
  const reply = (id: string) => waitFor(() => replies.find((r) => r.id === id), `reply to ${id}`);
  const audit = (id: string) => harness.gateway.db.prepare('SELECT ok, error_code AS code FROM audit WHERE command_id = ?').all(id) as Array<{ ok: number; code: string | null }>;

  beforeAll(async () => {
    // Unsigned on purpose: this file is about the command path, not signatures (test/security/commands-*.test.ts).
    harness = await startHarness({ commands: { requireSignature: false } });
    manager = await connect('manager');
    manager.on('message', (_topic, payload) => replies.push(JSON.parse(payload.toString()) as Reply));
    await manager.subscribeAsync(`${prefix}/cmd/+/reply`, { qos: 1 });
  });

  afterAll(async () => {
    await manager?.endAsync();
    await harness?.stop();
  });

  it('applies and acknowledges a lockdown, idempotent by id', async () => {
    const body = { id: 'cmd-lock-1', ts: new Date().toISOString(), v: 1, reason: 'confirmed case', by: 'manager-zhang' };
    await manager.publishAsync(`${prefix}/cmd/lockdown`, JSON.stringify(body), { qos: 1 });
    expect(await reply('cmd-lock-1')).toMatchObject({ ok: true });
    expect(harness.gateway.estate.world('main').mode).toBe('lockdown');
    await manager.publishAsync(`${prefix}/cmd/lockdown`, JSON.stringify(body), { qos: 1 });
    await waitFor(() => audit('cmd-lock-1').length === 2, 'second audit row');
    expect(harness.gateway.db.prepare("SELECT count(*) AS n FROM commands WHERE id = 'cmd-lock-1'").get()).toEqual({ n: 1 });
  });

  it('refuses malformed, retained and replayed commands with an error reply and an audit row', async () => {
    const before = harness.gateway.estate.mode;
    await manager.publishAsync(`${prefix}/cmd/mode`, JSON.stringify({ id: 'cmd-bad-1', mode: 'party' }), { qos: 1 });
    expect((await reply('cmd-bad-1')).error?.code).toBe('GW_COMMAND_INVALID');
    await manager.publishAsync(`${prefix}/cmd/mode`, JSON.stringify({ id: 'cmd-ret-1', mode: 'normal', reason: 'x', by: 'y' }), { qos: 1, retain: true });
    expect((await reply('cmd-ret-1')).error?.code).toBe('GW_COMMAND_RETAINED');
    await manager.publishAsync(`${prefix}/cmd/lockdown`, JSON.stringify({ id: 'cmd-lock-1', reason: 'other', by: 'someone' }), { qos: 1 });
    await waitFor(() => audit('cmd-lock-1').some((row) => row.code === 'GW_COMMAND_REPLAYED'), 'replay refusal');
    for (const id of ['cmd-bad-1', 'cmd-ret-1']) expect(audit(id)).toEqual([{ ok: 0, code: expect.stringMatching(/^GW_COMMAND_/) }]);
    expect(harness.gateway.estate.mode).toBe(before);
  });

  it('refuses a command from an observer (broker ACL) with an audit row and an error reply', async () => {
    const observer = await connect('observer');
    observer.on('error', () => {});
    observer.publish(`${prefix}/cmd/mode`, JSON.stringify({ id: 'cmd-obs-1', mode: 'normal', reason: 'x', by: 'y' }), { qos: 1 });
    expect((await reply('cmd-obs-1')).error?.code).toBe('GW_COMMAND_UNAUTHORIZED');
    expect(harness.gateway.estate.mode).toBe('lockdown');
    observer.end(true);
  });

  it('refuses a client whose will topic its role may not publish ([MQTT-3.1.2-8] the will is authorized at CONNECT)', async () => {
    const will = { topic: `${prefix}/status`, payload: Buffer.from(JSON.stringify({ online: false })), qos: 1 as const, retain: true };
    const attempt = mqtt.connectAsync(harness.gateway.mqtt.url, { username: 'observer', password: harness.gateway.secrets.mqttPasswords.observer, will, reconnectPeriod: 0 });
    await expect(attempt).rejects.toThrow(/Not authorized/i);
  });

  it('refuses a command over the payload limit, with an audit row and an error reply', async () => {
    // 3.1.1 has no negative PUBACK: the broker drops the sender's connection, so the reply goes to the other session.
    const sender = await connect('manager');
    sender.on('error', () => {});
    const big = JSON.stringify({ id: 'cmd-big-1', mode: 'normal', reason: 'x'.repeat(70_000), by: 'y' });
    sender.publish(`${prefix}/cmd/mode`, big, { qos: 1 });
    expect((await reply('cmd-big-1')).error?.code).toBe('GW_COMMAND_UNAUTHORIZED');
    sender.end(true);
    expect(audit('cmd-big-1')).toEqual([{ ok: 0, code: 'GW_COMMAND_UNAUTHORIZED' }]);
    expect(harness.gateway.estate.mode).toBe('lockdown');
  });
});
