import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PassIssuer } from '../../../src/demo/pass-issuer.js';
import { checkMessage } from '../../../src/contract/channels.js';
import { generateEd25519, loadSecrets } from '../../../src/secrets.js';
import { startHarness, waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';
import { MOSQUITTO_TOOLS, startMosquitto, type Mosquitto } from '../../../support/brokers/mosquitto.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { TestClient } from './mqtt-test-client.js';

const issuerKey = generateEd25519('district-1');
const issuer = new PassIssuer(issuerKey.kid, issuerKey.privateKey);
const nowS = () => Math.floor(Date.now() / 1000);
const PREFIX = 'gatewarden/test-estate';

/**
 * The district uplink: a second session to the district's broker (Mosquitto,
 * keeping sessions across restarts as a district broker would) with its own
 * outbox. Alerts, status, health and stats go up; passages only when
 * configured; an alert raised while the district broker is down arrives once
 * it is back.
 */
describeWithTools(MOSQUITTO_TOOLS, 'district uplink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-uplink-'));
  const uplinkPassword = 'district-uplink-password-1';
  let district: Mosquitto;
  let harness: Harness;
  const sessions: TestClient[] = [];
  const districtClient = async (session?: string) => {
    const client = await TestClient.connect({ url: district.url, prefix: PREFIX, username: 'district-desk', password: 'district-desk-password', ...(session ? { session } : {}) });
    sessions.push(client);
    await client.subscribe('#');
    return client;
  };

  beforeAll(async () => {
    const secretsPath = join(dir, 'secrets.json');
    const { secrets } = loadSecrets(secretsPath, true, false);
    writeFileSync(secretsPath, JSON.stringify({ ...secrets, mqttPasswords: { ...secrets.mqttPasswords, 'estate-uplink': uplinkPassword } }), { mode: 0o600 });
    district = await startMosquitto({
      prefix: PREFIX,
      users: [
        { username: 'estate-uplink', password: uplinkPassword, role: 'gateway' },
        { username: 'district-desk', password: 'district-desk-password', role: 'observer' },
      ],
      persistence: true,
    });
    harness = await startHarness({
      trust: { maxAgeHours: 24, issuers: [{ kid: issuerKey.kid, publicKey: issuerKey.publicKey }] },
      secrets: { path: secretsPath, generate: false },
      mqtt: {
        broker: { type: 'embedded', host: '127.0.0.1', port: 0 },
        healthIntervalS: 1,
        statsIntervalS: 10,
        uplink: { url: district.url, username: 'estate-uplink', passwordSecret: 'estate-uplink', passages: false },
      },
    });
  });

  afterAll(async () => {
    for (const session of sessions) await session.end();
    await harness?.stop();
    await district?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends alerts, status, health and stats up, and no passages unless configured', async () => {
    const desk = await districtClient();
    await waitFor(() => desk.json('status').some((status) => status.online === true), 'status on the district broker');
    harness.thermometer('in-thermo').present([38.2, 38.4]);
    harness.scanner('in-scanner').scan(issuer.issue({ sub: 'visitor-5', col: 'green', iat: nowS() - 60, exp: nowS() + 3600 }));
    const passage = await waitFor(() => harness.passages[0], 'fever passage');
    await waitFor(() => desk.json('alerts/fever').some((a) => a.passageId === passage.id), 'fever alert upstream');
    await waitFor(() => desk.json('health').length > 0, 'health upstream');
    await waitFor(() => desk.json('stats').length > 0, 'stats upstream', 20_000);
    expect(desk.received.filter((m) => m.topic.startsWith(`${PREFIX}/passages/`))).toEqual([]);
  }, 30_000);

  it('keeps an alert raised while the district broker is down and delivers it when it is back', async () => {
    // The district desk keeps a session on its broker, so it gets what arrived while it was away.
    await (await districtClient('district-desk')).end();
    await district.stop();
    harness.thermometer('in-thermo').setOnline(false);
    const outbox = harness.gateway.mqtt.uplink?.outbox;
    const alert = await waitFor(
      () => harness.gateway.db.prepare("SELECT id FROM alerts WHERE type = 'device-fault' ORDER BY at DESC LIMIT 1").get() as { id: string } | undefined,
      'device-fault alert recorded',
    );
    expect(outbox?.stats(Date.now()).depth).toBeGreaterThan(0);
    // The estate sees the backlog in …/health while the district is away.
    const estate = await TestClient.connect({ url: harness.gateway.mqtt.url, prefix: PREFIX, username: 'observer', password: harness.gateway.secrets.mqttPasswords.observer });
    sessions.push(estate);
    await estate.subscribe('health');
    const health = await waitFor(() => estate.json('health').find((h) => (h.uplink as { depth: number } | null)?.depth), 'health with the uplink backlog');
    expect(health.uplink).toMatchObject({ connected: false });
    expect(health.outbox).toMatchObject({ depth: expect.any(Number), capacity: expect.any(Number) });
    await district.start();
    await waitFor(() => outbox?.stats(Date.now()).depth === 0, 'uplink outbox drained', 15_000);
    const desk = await districtClient('district-desk');
    await waitFor(() => desk.json('alerts/device-fault').some((a) => a.id === alert.id), 'the same alert upstream after the outage', 15_000);
  }, 30_000);

  it('sent only messages that conform to the contract', () => {
    expect(sessions.flatMap((s) => s.received).flatMap((m) => checkMessage(PREFIX, m))).toEqual([]);
  });
});
