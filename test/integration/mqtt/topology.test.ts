import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_TYPES } from '../../../src/core/alerts.js';
import { REASON_CODES, REASONS } from '../../../src/core/reasons.js';
import { checkMessage } from '../../../src/contract/channels.js';
import { startHarness, waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';
import { publishedOnReconnect } from './gateway-publishes.js';
import { TestClient } from './mqtt-test-client.js';

const prefix = 'gatewarden/test-estate';

/**
 * The retained `…/topology` (issue 16): a consumer that connects after the
 * gateway learns the estate, its gates, lanes and devices, and the words for
 * every reason code, from one retained message.
 */
describe('the retained topology', () => {
  let harness: Harness;
  let observer: TestClient;

  beforeAll(async () => {
    harness = await startHarness({ estate: { id: 'test-estate', name: 'Test Estate (测试小区)', timeZone: 'Asia/Urumqi' } });
    const login = { url: harness.gateway.mqtt.url, prefix, username: 'observer', password: harness.gateway.secrets.mqttPasswords.observer };
    // A probe sees the gateway's connect-time publish (live, if it raced the connect), so the broker holds it by now.
    const probe = await TestClient.connect(login);
    await probe.subscribe('topology');
    await waitFor(() => probe.received.length > 0, 'the topology published');
    await probe.end();
    // The read-only user, subscribing after that: only the broker's retained copy can reach it.
    observer = await TestClient.connect(login);
    await observer.subscribe('topology');
  });

  afterAll(async () => {
    await observer?.end();
    await harness?.stop();
  });

  const topology = () => waitFor(() => observer.received.find((m) => m.topic === `${prefix}/topology`), 'retained topology');

  it('arrives retained on subscribe, QoS 1, valid against the contract', async () => {
    const message = await topology();
    expect(message.retain).toBe(true);
    expect(checkMessage(prefix, message)).toEqual([]);
  });

  it('names the estate, its time zone, the gates with their lanes and the devices with their places', async () => {
    const body = JSON.parse((await topology()).payload.toString());
    expect(body.estate).toEqual({ id: 'test-estate', name: 'Test Estate (测试小区)', timeZone: 'Asia/Urumqi' });
    expect(body.gates).toEqual([
      {
        id: 'main',
        name: 'Main gate',
        lanes: [
          { id: 'in', direction: 'in', kind: 'pedestrian', temperatureEnforcement: 'hard', devices: { scanner: 'in-scanner', thermometer: 'in-thermo', barrier: 'in-barrier' } },
          { id: 'out', direction: 'out', kind: 'pedestrian', temperatureEnforcement: 'hard', devices: { scanner: 'out-scanner', barrier: 'out-barrier' } },
        ],
      },
    ]);
    expect(body.devices).toContainEqual({ id: 'in-thermo', role: 'thermometer', driver: 'virtual', profile: null, gate: 'main', lane: 'in', slot: 'thermometer' });
    expect(body.devices.map((d: { id: string }) => d.id)).toEqual(['in-scanner', 'in-thermo', 'in-barrier', 'out-scanner', 'out-barrier']);
  });

  it('carries every reason code with its meaning and its Chinese and English words, and every alert type', async () => {
    const body = JSON.parse((await topology()).payload.toString());
    expect(Object.keys(body.reasons).sort()).toEqual([...REASON_CODES].sort());
    for (const code of REASON_CODES) expect(body.reasons[code].text, code).toBe(REASONS[code]);
    expect(body.reasons.CODE_RED).toEqual({ text: 'health code is red', zh: '健康码红码', en: 'Health code red' });
    expect(body.reasons.EXIT_PASS_REQUIRED.zh).toBe('封控期间外出须持出门证');
    expect(Object.keys(body.alerts).sort()).toEqual([...ALERT_TYPES].sort());
    expect(body.alerts.fever).toEqual({ zh: '发热', en: 'Fever' });
    expect(body.verdicts.deny).toEqual({ zh: '拒绝', en: 'Denied' });
  });

  it('is published again on every connect of the gateway, so a broker that lost it gets it back', async () => {
    expect(await publishedOnReconnect(harness, `${prefix}/topology`)).toContain(`${prefix}/topology`);
  });
});
