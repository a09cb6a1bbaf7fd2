import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelOf, checkMessage } from '../../src/contract/channels.js';
import { PassIssuer } from '../../src/demo/pass-issuer.js';
import { generateEd25519 } from '../../src/secrets.js';
import { startHarness, waitFor, type Harness } from '../../support/gateway/gateway-harness.js';
import { commandBody, TestClient } from '../integration/mqtt/mqtt-test-client.js';

const issuerKey = generateEd25519('district-1');
const issuer = new PassIssuer(issuerKey.kid, issuerKey.privateKey);
const nowS = () => Math.floor(Date.now() / 1000);
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

/**
 * Runs a gateway, drives every kind of traffic it emits (passages, alerts,
 * commands and replies, status, devices, mode, health, stats) and checks every
 * message a subscriber to the whole tree received against the contract.
 */
describe('every message the gateway emits conforms to the MQTT contract', () => {
  let harness: Harness;
  let manager: TestClient;
  let approver: TestClient;
  const prefix = 'gatewarden/test-estate';

  beforeAll(async () => {
    harness = await startHarness({
      // Unsigned on purpose: this file checks message shapes, not signatures (test/security/commands-*.test.ts).
      commands: { requireSignature: false },
      trust: { maxAgeHours: 24, issuers: [{ kid: issuerKey.kid, publicKey: issuerKey.publicKey }] },
      mqtt: { broker: { type: 'embedded', host: '127.0.0.1', port: 0 }, healthIntervalS: 1, statsIntervalS: 10 },
    });
    manager = await TestClient.connect({ url: harness.gateway.mqtt.url, prefix, username: 'manager', password: harness.gateway.secrets.mqttPasswords.manager });
    // `prefix/#`: the embedded ACL refuses a bare `#` (it would reach outside the prefix), and the gateway may publish nowhere else.
    await manager.subscribe('#');
    approver = await TestClient.connect({ url: harness.gateway.mqtt.url, prefix, username: 'approver', password: harness.gateway.secrets.mqttPasswords.approver });
    await approver.subscribe('#');
  });

  afterAll(async () => {
    await manager?.end();
    await approver?.end();
    await harness?.stop();
  });

  it('passages, alerts, devices, commands, replies, mode, status, health and stats', async () => {
    harness.thermometer('in-thermo').present(36.6);
    harness.barrier('in-barrier').expectWalk(50);
    // The resident's own green pass, alone (a card alone waits for the pass: issue 11's person model).
    harness.scanner('in-scanner').scan(issuer.issue({ sub: 'resident-1', col: 'green', iat: nowS() - 60, exp: nowS() + 3600 }));
    await waitFor(() => harness.passages.length === 1 && harness.gateway.lanes.get('main/in')?.phase === 'idle', 'resident passage, lane idle');

    harness.thermometer('in-thermo').present([38.2, 38.4]);
    harness.scanner('in-scanner').scan(issuer.issue({ sub: 'visitor-77', col: 'green', iat: nowS() - 60, exp: nowS() + 3600 }));
    await waitFor(() => manager.json('alerts/suspected-case').length > 0, 'suspected-case alert');

    harness.thermometer('in-thermo').setOnline(false);
    await waitFor(() => manager.json('alerts/device-fault').length > 0, 'device-fault alert');
    harness.thermometer('in-thermo').setOnline(true);

    const by = 'manager-zhang';
    const commands: Array<[string, Record<string, unknown>]> = [
      ['lockdown', { reason: 'confirmed case', by }],
      ['mode', { mode: 'emergency-open', reason: 'fire alarm drill', by, drill: true }],
      ['mode', { mode: 'normal', reason: 'over', by }],
      ['open', { gate: 'main', lane: 'out', reason: 'ambulance', by }],
      ['visitor', { passId: 'v-1', subject: 'visitor-9', hostHousehold: '1-101', validFrom: new Date().toISOString(), validUntil: inAnHour(), by }],
      ['revoke-pass', { pass: 'visitor', passId: 'v-1', reason: 'visit cancelled', by }],
      ['roster', { version: 'r-2', cards: [{ uid: '04AABBCCDD', subject: 'resident-1', role: 'resident' }] }],
      ['lists', { list: 'risk-areas', version: 'l-2', entries: [{ code: '350502', level: 'high' }] }],
      ['lists', { list: 'quarantine', op: 'add', version: 'q-2', entries: [{ subject: 'nobody-known' }] }],
      ['policy', { version: 'test-2', rules: { feverThresholdC: 37.3 } }],
      ['drill', { drillId: 'd-1', scenario: 'suspected case at the main gate', by }],
    ];
    for (const [i, [name, fields]] of commands.entries()) {
      expect(await manager.send(name, commandBody(`contract-${i}`, fields)), name).toMatchObject({ ok: true });
    }
    // Exit passes are the approver's (the local epidemic-control group); the unknown subject comes back as a warning.
    const approved = await approver.send('exit-pass', commandBody('contract-exit', { passId: 'x-1', subject: 'resident-unknown', reason: 'hospital', returnBy: inAnHour(), by: 'approver-chen' }));
    expect(approved).toMatchObject({ ok: true, warnings: [expect.stringMatching(/^subject [\w-]{22} matches no/)] });
    expect(await approver.send('revoke-pass', commandBody('contract-revoke', { pass: 'exit', passId: 'x-1', reason: 'trip cancelled', by: 'approver-chen' }))).toMatchObject({ ok: true });
    // The approver saw its own replies, not the other commands or their replies.
    await waitFor(() => manager.json('cmd/revoke-pass/reply').some((r) => r.id === 'contract-revoke'), 'the manager sees the revoke reply');
    expect(approver.received.filter((m) => m.topic.startsWith(`${prefix}/cmd/`)).map((m) => m.topic.split('/')[3])).not.toContain('roster');
    expect(approver.received.flatMap((message) => checkMessage(prefix, message))).toEqual([]);
    await waitFor(() => manager.json('alerts/emergency-open').length > 0, 'emergency-open alert');
    await waitFor(() => manager.json('stats').length > 0, 'stats report', 20_000);
    await waitFor(() => manager.json('health').length > 0, 'health report');

    const problems = manager.received.flatMap((message) => checkMessage(prefix, message));
    expect(problems).toEqual([]);
    const seen = new Set(manager.received.map((message) => channelOf(prefix, message.topic)?.key));
    for (const key of ['status', 'mode', 'health', 'device', 'passage', 'alert', 'stats', 'cmd-reply', 'cmd-lockdown', 'cmd-mode', 'cmd-open', 'cmd-roster', 'cmd-lists', 'cmd-exit-pass', 'cmd-visitor', 'cmd-revoke-pass', 'cmd-policy', 'cmd-drill']) {
      expect(seen, key).toContain(key);
    }
    const statuses = manager.json('status');
    expect(statuses.map((s) => s.mode)).toEqual(expect.arrayContaining(['normal', 'lockdown', 'emergency-open']));
  }, 60_000);
});
