import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DistrictReceiver } from '../../../src/district/receiver.js';
import { waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';
import { MOSQUITTO_TOOLS, startMosquitto } from '../../../support/brokers/mosquitto.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { setUpExternal, type ExternalSetup } from '../../../support/brokers/external-broker.js';
import { DISTRICT_PASSWORD, DISTRICT_USER, districtTrusted, emitStats, estateOf, gatewayHead, oneTo, PREFIX, startReceiver, storedSeqs, waitComplete, waitUntil } from './district-fixture.js';

/**
 * The district receiver behind a Mosquitto that drops, as its defaults do
 * under load (docs/district.md, "Mosquitto: no silent drops"): with
 * `max_queued_messages 1`, Mosquitto acknowledges the gateway's reports and
 * keeps only one of them for the receiver's offline session. The receiver
 * must notice the hole when the stream resumes and fill it with cmd/resend.
 */
describeWithTools(MOSQUITTO_TOOLS, 'district receiver behind Mosquitto with tiny queues', () => {
  let setup: ExternalSetup;
  let harness: Harness | undefined;
  let receiver: DistrictReceiver | undefined;
  const acl = [`user gateway`, `topic readwrite ${PREFIX}/#`, '', `user ${DISTRICT_USER}`, `topic read ${PREFIX}/#`, `topic write ${PREFIX}/cmd/resend`, ''].join('\n');

  beforeAll(async () => {
    setup = await setUpExternal({
      prefix: PREFIX,
      protocolVersion: 5,
      commands: { keys: [districtTrusted] },
      broker: (prefix, users) =>
        startMosquitto({ prefix, users: [...users, { username: DISTRICT_USER, password: DISTRICT_PASSWORD, role: 'district' }], acl, extraConfig: ['max_queued_messages 1'] }),
    });
    harness = await setup.startGateway({
      commands: { keys: [districtTrusted] },
      mqtt: { broker: { type: 'external', url: setup.broker.url, username: 'gateway', passwordSecret: 'gateway', protocolVersion: 5 }, healthIntervalS: 1, checkpointEveryS: 1 },
    });
  }, 60_000);

  afterAll(async () => {
    await receiver?.stop();
    await harness?.stop();
    await setup?.close();
  });

  const gateway = () => harness as Harness;
  const start = () => {
    const key = gateway().gateway.secrets.gatewayKey;
    if (!key) throw new Error('the gateway made no key');
    return startReceiver({ url: setup.broker.url, protocolVersion: 5, storage: { type: 'sqlite', dir: setup.dir }, gatewayKey: { kid: key.kid, publicKey: key.publicKey }, verify: { silentAfterMin: 0.05 } });
  };

  it('detects the reports Mosquitto dropped for its offline session and fills them with cmd/resend', async () => {
    receiver = await start();
    emitStats(gateway(), 2);
    await waitComplete(receiver, gateway());
    await receiver.stop();
    receiver = undefined;
    const before = gatewayHead(gateway()).seq;
    emitStats(gateway(), 10);
    // Every report acknowledged by the broker: from here on, only the broker and the resend can deliver them.
    await waitFor(() => gateway().gateway.journal.outbox.stats(Date.now()).depth === 0 && gatewayHead(gateway()).seq === before + 10, 'the reports acknowledged by Mosquitto');

    receiver = await start();
    await waitComplete(receiver, gateway(), 40_000);
    expect(await storedSeqs(receiver)).toEqual(oneTo(gatewayHead(gateway()).seq));
    const filled = (await receiver.store.reports('test-estate', before + 1, 10)).filter((row) => row.backfilled === 1);
    // Mosquitto kept at most one for the session: the rest came by the resend.
    expect(filled.length).toBeGreaterThanOrEqual(9);
    expect((await receiver.http?.app.inject({ url: '/metrics' }))?.body).toMatch(/gatewarden_district_resend_requests_total\{estate="test-estate"\} [1-9]/);
  }, 90_000);

  it('flags the estate silent, and offline, when its gateway stops', async () => {
    const live = receiver as DistrictReceiver;
    await harness?.stop();
    harness = undefined;
    const estate = await waitUntil(async () => {
      const found = await estateOf(live);
      return found.silent && found.online === false ? found : undefined;
    }, () => 'the estate silent and offline', 20_000);
    expect(estate.findings.silent).toBeGreaterThanOrEqual(1);
    expect((await live.http?.app.inject({ url: '/metrics' }))?.body).toContain('gatewarden_district_estate_silent{estate="test-estate"} 1');
  }, 30_000);

  it('keeps a dead estate silent when a forged unsigned status says it is online', async () => {
    const live = receiver as DistrictReceiver;
    // Anyone who can publish on the broker path (here with the gateway's broker login, as on an open uplink).
    const forger = await mqtt.connectAsync(setup.broker.url, { username: 'gateway', password: setup.secrets.mqttPasswords.gateway as string, clientId: 'forger', reconnectPeriod: 0 });
    try {
      await forger.publishAsync(`${PREFIX}/status`, JSON.stringify({ online: true, ts: new Date().toISOString(), v: 1 }), { qos: 1, retain: true });
      await waitUntil(async () => (await estateOf(live)).online === true, () => 'the unsigned status shown');
      // Several ticks of the silence check later, still silent: an unsigned status is no sign of life.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const estate = await estateOf(live);
      expect(estate).toMatchObject({ silent: true, online: true, onlineFrom: 'unsigned status' });
      expect((await live.http?.app.inject({ url: '/metrics' }))?.body).toContain('gatewarden_district_estate_silent{estate="test-estate"} 1');
    } finally {
      await forger.endAsync();
    }
  }, 30_000);
});
