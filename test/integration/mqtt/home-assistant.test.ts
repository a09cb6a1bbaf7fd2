import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_TYPES } from '../../../src/core/alerts.js';
import { channelOf } from '../../../src/contract/channels.js';
import { startHarness, waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';
import { publishedOnReconnect } from './gateway-publishes.js';
import { TestClient } from './mqtt-test-client.js';

const prefix = 'gatewarden/test-estate';
const broker = { type: 'embedded', host: '127.0.0.1', port: 0 };

describe('Home Assistant discovery, off by default', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => harness?.stop());

  it('is disabled in the validated config and publishes no discovery config', async () => {
    expect(harness.gateway.config.mqtt.homeAssistant).toEqual({ enabled: false, prefix: 'homeassistant' });
    // The topology goes out on every connect after the mode and devices; discovery configs would follow it at once.
    const sent = await publishedOnReconnect(harness, `${prefix}/topology`, 200);
    expect(sent.filter((topic) => !topic.startsWith(`${prefix}/`))).toEqual([]);
  });

  it('keeps the broker closed outside the gateway prefix: a subscription to homeassistant/# is refused', async () => {
    const observer = await TestClient.connect({ url: harness.gateway.mqtt.url, prefix, username: 'observer', password: harness.gateway.secrets.mqttPasswords.observer });
    try {
      // SUBACK 0x80 (failure), which mqtt.js turns into a rejection [MQTT-3.9.3].
      await expect(observer.client.subscribeAsync('homeassistant/#', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    } finally {
      await observer.end();
    }
  });
});

describe('Home Assistant discovery, on', () => {
  let harness: Harness;
  let observer: TestClient;
  let late: TestClient;
  const configsOf = (client: TestClient) => new Map(client.received.filter((m) => m.topic.startsWith('ha-test/')).map((m) => [m.topic, { retain: m.retain, body: JSON.parse(m.payload.toString()) as Record<string, unknown> }]));
  const configs = () => configsOf(observer);
  // 1 mode sensor + one event per alert type; per gate 4 counts; lane in: 4 + 3 devices; lane out: 4 + 2 devices.
  const expected = 1 + ALERT_TYPES.length + 4 + (4 + 3) + (4 + 2);

  beforeAll(async () => {
    harness = await startHarness({ mqtt: { broker, homeAssistant: { enabled: true, prefix: 'ha-test' } } });
    // Home Assistant would log in as a read-only user and subscribe after the gateway is up: only retained configs reach it.
    observer = await TestClient.connect({ url: harness.gateway.mqtt.url, prefix, username: 'observer', password: harness.gateway.secrets.mqttPasswords.observer });
    await observer.client.subscribeAsync('ha-test/#', { qos: 1 });
    await waitFor(() => configs().size >= expected, 'discovery configs');
    // A subscriber that raced the gateway's connect saw some configs live (retain cleared [MQTT-3.3.1-9]); one that comes after sees the broker's store.
    late = await TestClient.connect({ url: harness.gateway.mqtt.url, prefix, username: 'observer', password: harness.gateway.secrets.mqttPasswords.observer });
    await late.client.subscribeAsync('ha-test/#', { qos: 1 });
    await waitFor(() => configsOf(late).size >= expected, 'retained discovery configs');
  });
  afterAll(async () => {
    await late?.end();
    await observer?.end();
    await harness?.stop();
  });

  it('retains one config per entity under the configured prefix, each with a unique id', () => {
    const all = configsOf(late);
    expect(all.size).toBe(expected);
    for (const [topic, { retain }] of all) {
      expect(topic).toMatch(/^ha-test\/(binary_sensor|sensor|event)\/gatewarden_test_estate\/[A-Za-z0-9_-]+\/config$/);
      expect(retain, topic).toBe(true);
    }
    const ids = [...all.values()].map(({ body }) => body.unique_id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("points every entity at the gateway's own contract topics, available while …/status says online", () => {
    for (const [topic, { body }] of configs()) {
      expect(channelOf(prefix, body.state_topic as string), `${topic}: ${String(body.state_topic)}`).toBeDefined();
      expect(body.availability_topic).toBe(`${prefix}/status`);
    }
  });

  it('gives each lane its verdict, temperature and device entities, and each alert type an event', () => {
    const all = configs();
    const granted = all.get('ha-test/binary_sensor/gatewarden_test_estate/main_in_granted/config')?.body;
    expect(granted).toMatchObject({ state_topic: `${prefix}/passages/main/in`, value_template: "{{ 'ON' if value_json.verdict == 'grant' else 'OFF' }}" });
    expect(granted?.device).toMatchObject({ identifiers: ['gatewarden_test_estate_main_in'], name: 'Main gate in', via_device: 'gatewarden_test_estate' });
    expect(all.get('ha-test/sensor/gatewarden_test_estate/main_in_temperature/config')?.body).toMatchObject({ device_class: 'temperature', unit_of_measurement: '°C' });
    expect(all.get('ha-test/binary_sensor/gatewarden_test_estate/main_in_thermometer_online/config')?.body).toMatchObject({ state_topic: `${prefix}/devices/in-thermo`, device_class: 'connectivity' });
    expect(all.get('ha-test/event/gatewarden_test_estate/alert_fever/config')?.body).toMatchObject({ state_topic: `${prefix}/alerts/fever`, event_types: ['fever'] });
    expect(all.get('ha-test/sensor/gatewarden_test_estate/main_passed/config')?.body).toMatchObject({ state_topic: `${prefix}/stats` });
  });

  it('lets no one but the gateway publish a discovery config', async () => {
    const before = configs().get('ha-test/sensor/gatewarden_test_estate/mode/config')?.body;
    // aedes drops an unauthorised QoS 0 publish without a word; the retained config must stay the gateway's.
    await observer.client.publishAsync('ha-test/sensor/gatewarden_test_estate/mode/config', '{"state_topic":"evil"}', { qos: 0, retain: true });
    const after = await TestClient.connect({ url: harness.gateway.mqtt.url, prefix, username: 'observer', password: harness.gateway.secrets.mqttPasswords.observer });
    try {
      await after.client.subscribeAsync('ha-test/sensor/gatewarden_test_estate/mode/config', { qos: 1 });
      const retained = await waitFor(() => after.received[0], 'the retained mode config');
      expect(retained.retain).toBe(true);
      expect(JSON.parse(retained.payload.toString())).toEqual(before);
    } finally {
      await after.end();
    }
  });
});
