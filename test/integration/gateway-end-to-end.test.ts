import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassIssuer } from '../../src/demo/pass-issuer.js';
import { generateEd25519 } from '../../src/secrets.js';
import { startHarness, waitFor, type Harness } from '../../support/gateway/gateway-harness.js';
import { RESIDENT, showCardThenPass } from '../helpers/resident.js';

const issuerKey = generateEd25519('district-1');
const issuer = new PassIssuer(issuerKey.kid, issuerKey.privateKey);
const nowS = () => Math.floor(Date.now() / 1000);
let issued = 0;
// Each pass distinct (iat), so showing one person twice is never taken for a replay.
const greenPass = (sub: string) => issuer.issue({ sub, col: 'green', iat: nowS() - 60 - (issued += 1), exp: nowS() + 3600 });
/** The resident shows their card, then their own green pass. */
const showResident = (scanner: string) => showCardThenPass(harness.scanner(scanner), greenPass(RESIDENT.subject));

let harness: Harness;

describe('a gateway on virtual devices, with its real store and embedded broker', () => {
  let observer: MqttClient;
  const received: Array<{ topic: string; payload: Record<string, unknown>; retain: boolean }> = [];

  beforeAll(async () => {
    harness = await startHarness({ trust: { maxAgeHours: 24, issuers: [{ kid: issuerKey.kid, publicKey: issuerKey.publicKey }] } });
    const { url, topics } = harness.gateway.mqtt;
    observer = await mqtt.connectAsync(url, { username: 'observer', password: harness.gateway.secrets.mqttPasswords.observer, protocolVersion: 4 });
    observer.on('message', (topic, payload, packet) => received.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown>, retain: packet.retain }));
    await observer.subscribeAsync(`${topics.prefix}/#`, { qos: 1 });
  });

  afterAll(async () => {
    await observer?.endAsync();
    await harness?.stop();
  });

  const messagesOn = (suffix: string) => received.filter((m) => m.topic.endsWith(suffix));

  it('publishes its online status, retained for late subscribers', async () => {
    const status = await waitFor(() => messagesOn('/status').at(-1), 'status message');
    expect(status.payload).toMatchObject({ online: true, mode: 'normal', v: 1 });
    const { url, topics } = harness.gateway.mqtt;
    const late = await mqtt.connectAsync(url, { username: 'observer', password: harness.gateway.secrets.mqttPasswords.observer, protocolVersion: 4 });
    try {
      const retained = new Promise<{ retain: boolean; payload: Record<string, unknown> }>((resolve) =>
        late.once('message', (_topic, payload, packet) => resolve({ retain: packet.retain, payload: JSON.parse(payload.toString()) as Record<string, unknown> })),
      );
      await late.subscribeAsync(topics.status, { qos: 1 });
      // [MQTT-3.3.1-8] a message sent because of a new subscription carries the RETAIN flag.
      await expect(retained).resolves.toMatchObject({ retain: true, payload: { online: true } });
    } finally {
      await late.endAsync();
    }
  });

  it('grants a resident card and pass with a normal temperature, records it before releasing, and reports it', async () => {
    const barrier = harness.barrier('in-barrier');
    const db = harness.gateway.db;
    let recordedBeforeRelease: unknown;
    const release = barrier.release.bind(barrier);
    barrier.release = async () => {
      recordedBeforeRelease = db.prepare("SELECT verdict FROM passages WHERE gate = 'main' AND lane = 'in' ORDER BY at DESC LIMIT 1").get();
      return release();
    };
    harness.thermometer('in-thermo').present(36.6);
    barrier.expectWalk(50);
    showResident('in-scanner');

    const passage = await waitFor(() => harness.passages.find((p) => p.credential === 'card'), 'card passage');
    expect(passage.decision).toMatchObject({ verdict: 'grant', reasons: ['CARD_VALID', 'CODE_GREEN', 'TEMP_NORMAL'] });
    await waitFor(() => barrier.releases === 1, 'barrier release');
    expect(recordedBeforeRelease).toEqual({ verdict: 'grant' });
    await waitFor(() => (db.prepare('SELECT outcome FROM passages WHERE id = ?').get(passage.id) as { outcome: string | null }).outcome === 'passed', 'passed outcome');
    const message = await waitFor(() => messagesOn('/passages/main/in').find((m) => m.payload.id === passage.id), 'passage message');
    expect(message.payload).toMatchObject({ verdict: 'grant', direction: 'in', temperatureC: 36.6, credential: 'card' });
    expect(JSON.stringify(message.payload)).not.toContain('resident-1');
  });

  it('denies a confirmed fever after re-measuring, and raises fever and suspected-case alerts', async () => {
    harness.thermometer('in-thermo').present([38.2, 38.4]);
    harness.scanner('in-scanner').scan(greenPass('visitor-77'));
    const passage = await waitFor(() => harness.passages.find((p) => p.decision.reasons.includes('FEVER')), 'fever passage');
    expect(passage.readings).toEqual([38.2, 38.4]);
    expect(passage.decision.verdict).toBe('deny');
    const fever = await waitFor(() => messagesOn('/alerts/fever').find((m) => m.payload.passageId === passage.id), 'fever alert');
    expect(fever.payload).toMatchObject({ severity: 'critical', reasons: ['FEVER'], gate: 'main', lane: 'in' });
    await waitFor(() => messagesOn('/alerts/suspected-case').find((m) => m.payload.passageId === passage.id), 'suspected-case alert');
    expect(harness.barrier('in-barrier').releases).toBe(1);
  });

  it('refers to the guard when the thermometer is unplugged, and alerts once', async () => {
    const thermometer = harness.thermometer('in-thermo');
    thermometer.setOnline(false);
    // Another person than the resident who went in moments ago (the same person the same way again would be a replay).
    harness.scanner('in-scanner').scan(greenPass('visitor-88'));
    const passage = await waitFor(() => harness.passages.find((p) => p.decision.reasons.includes('DEVICE_FAULT')), 'device-fault passage');
    expect(passage.decision.verdict).toBe('refer');
    const alert = await waitFor(() => messagesOn('/alerts/device-fault').find((m) => m.payload.details && (m.payload.details as Record<string, unknown>).device === 'in-thermo'), 'device-fault alert');
    expect(alert.payload.reasons).toEqual(['DEVICE_FAULT']);
    const retained = await waitFor(() => messagesOn('/devices/in-thermo').find((m) => m.payload.availability === 'offline'), 'device status');
    expect(retained.payload).toMatchObject({ role: 'thermometer', lastError: { code: 'GW_DEVICE_IO' } });
    thermometer.setOnline(true);
  });

  it('releases nothing when the database cannot record the decision', async () => {
    const barrier = harness.barrier('out-barrier');
    const before = barrier.releases;
    harness.gateway.db.exec('ALTER TABLE outbox RENAME TO outbox_gone');
    try {
      // The exit lane needs no temperature: the pass after the card is decided at once; its commit then fails.
      showResident('out-scanner');
      // The outbox cannot take the alert: it goes straight to the broker from memory.
      const alert = await waitFor(() => messagesOn('/alerts/storage-fault')[0], 'storage-fault alert');
      expect(alert.payload).toMatchObject({ severity: 'critical', gate: 'main', lane: 'out' });
      expect(barrier.releases).toBe(before);
      expect(harness.gateway.lanes.get('main/out')?.phase).toBe('idle');
    } finally {
      harness.gateway.db.exec('ALTER TABLE outbox_gone RENAME TO outbox');
    }
    showResident('out-scanner');
    await waitFor(() => barrier.releases === before + 1, 'release once storage is back');
  });

  it('raises barrier-forced when someone passes without a grant', async () => {
    await waitFor(() => harness.gateway.lanes.get('main/out')?.phase === 'idle', 'exit lane idle');
    harness.barrier('out-barrier').force();
    const alert = await waitFor(() => messagesOn('/alerts/barrier-forced')[0], 'barrier-forced alert');
    expect(alert.payload).toMatchObject({ gate: 'main', lane: 'out', severity: 'critical' });
  });

  it('refuses clients without valid credentials and observers that try to publish', async () => {
    const { url, topics } = harness.gateway.mqtt;
    await expect(mqtt.connectAsync(url, { username: 'observer', password: 'wrong-password-123', protocolVersion: 4, reconnectPeriod: 0 })).rejects.toThrow();
    await expect(mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0 })).rejects.toThrow();
    const before = received.length;
    observer.publish(`${topics.prefix}/alerts/fever`, '{"fake":true}', { qos: 0 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received.slice(before).some((m) => m.payload.fake === true)).toBe(false);
  });
});
