import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signCommand } from '../../src/contract/signature.js';
import { generateSecrets } from '../../src/secrets.js';
import { waitFor } from '../../support/gateway/gateway-harness.js';
import { MOSQUITTO_TOOLS, mosquittoAcl, startMosquitto, type Mosquitto } from '../../support/brokers/mosquitto.js';
import { describeWithTools } from '../../support/tools/system-tools.js';
import { CommandsProcess, type Seen } from './commands-process.js';

/**
 * Issue 12, observation 7 and "a reply goes to the requester only", against
 * the real process on an external Mosquitto speaking MQTT 5, with
 * `commands.requireSignature: true` as the observation set it. Before the fix
 * the guard room's lockdown and manual release answered 403
 * GW_COMMAND_UNSIGNED, and every reply (a visitor's VP1 code too) went to
 * every console on `…/cmd/<name>/reply`.
 */
describeWithTools(MOSQUITTO_TOOLS, 'commands over MQTT 5 and HTTP with signatures required', () => {
  const gw = new CommandsProcess();
  let broker: Mosquitto;
  let requester: { client: MqttClient; seen: Seen[] };
  let other: { client: MqttClient; seen: Seen[] };
  const secrets = generateSecrets(false);

  beforeAll(async () => {
    writeFileSync(join(gw.dir, 'secrets.json'), JSON.stringify(secrets), { mode: 0o600 });
    const users = [
      { username: 'gateway', password: secrets.mqttPasswords.gateway as string, role: 'gateway' as const },
      { username: 'manager', password: secrets.mqttPasswords.manager as string, role: 'manager' as const },
    ];
    // Each console reads its own reply topic only: Mosquitto's %c is the client id (docs/mqtt.md, "Replies").
    const acl = `${mosquittoAcl(gw.prefix, users)}\npattern read ${gw.prefix}/cmd/+/reply/%c\n`;
    broker = await startMosquitto({ prefix: gw.prefix, users, acl });
    await gw.start({
      mqtt: { broker: { type: 'external', url: broker.url, username: 'gateway', passwordSecret: 'gateway', protocolVersion: 5 } },
      commands: { requireSignature: true },
    });
    const [host, port] = broker.url.replace('mqtt://', '').split(':');
    requester = await gw.client('manager', [], { host, port: Number(port), protocolVersion: 5, clientId: 'manager-console-a' });
    other = await gw.client('manager', ['#', 'cmd/visitor/reply/manager-console-a'], { host, port: Number(port), protocolVersion: 5, clientId: 'manager-console-b' });
  }, 60_000);

  afterAll(async () => {
    await gw.stop();
    await broker?.close();
  });

  it('answers the requester on its MQTT 5 response topic with the VP1 code; another console sees neither', async () => {
    const replyTopic = `${gw.prefix}/cmd/visitor/reply/manager-console-a`;
    await requester.client.subscribeAsync(replyTopic, { qos: 1 });
    const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
    const body = signCommand(
      { id: 'v5-visitor-1', v: 1, passId: 'V-v5-1', subject: 'visitor-v5-1', hostHousehold: '1-101', validFrom: inHours(-1), validUntil: inHours(2), by: 'manager-wang' },
      secrets.managerKey as { kid: string; privateKey: string },
    );
    const correlationData = Buffer.from('corr-42');
    await requester.client.publishAsync(`${gw.prefix}/cmd/visitor`, JSON.stringify(body), { qos: 1, properties: { responseTopic: replyTopic, correlationData } });
    const answer = await waitFor(() => requester.seen.find((m) => m.topic === replyTopic), 'the reply on the response topic');
    expect(JSON.parse(answer.text)).toMatchObject({ id: 'v5-visitor-1', ok: true, data: { passId: 'V-v5-1', code: expect.stringMatching(/^VP1:/) } });
    expect(answer.correlationData?.toString()).toBe('corr-42');

    await waitFor(() => other.seen.some((m) => m.topic === `${gw.prefix}/cmd/visitor/reply`), 'the outcome on the generic topic');
    // Give a stray delivery to the other console time to arrive before asserting it never did.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(other.seen.map((m) => m.text).join('\n')).not.toContain('VP1:');
    expect(other.seen.filter((m) => m.topic.endsWith('/reply')).map((m) => JSON.parse(m.text) as Record<string, unknown>)).toEqual([expect.not.objectContaining({ data: expect.anything() })]);
  }, 30_000);

  it('applies the guard room lockdown, manual release and lift over HTTP, audited under each token', async () => {
    const locked = await gw.http('POST', '/api/mode/lockdown', 'guard', { reason: 'fight at the gate' });
    expect(locked.status, await locked.clone().text()).toBe(200);
    expect(((await locked.json()) as { estate: string }).estate).toBe('lockdown');
    const released = await gw.http('POST', '/api/lanes/main/in/release', 'guard', { reason: 'ambulance crew' });
    expect(released.status, await released.clone().text()).toBe(200);
    const lifted = await gw.http('POST', '/api/mode/lift', 'manager', { reason: 'all clear' });
    expect(lifted.status, await lifted.clone().text()).toBe(200);
    expect(gw.audit("via = 'http'").map((row) => [row.name, row.principal, row.ok, row.code])).toEqual([
      ['lockdown', 'demo-guard', 1, null],
      ['open', 'demo-guard', 1, null],
      ['mode', 'demo-manager', 1, null],
    ]);
  }, 30_000);
});
