import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DistrictReceiver } from '../../../src/district/receiver.js';
import { generateEd25519 } from '../../../src/secrets.js';
import { stampReport } from '../../../src/store/report-chain-format.js';
import { waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';
import { NATS_TOOLS, startNatsCluster, type NatsCluster, type NatsNode } from '../../../support/brokers/nats-cluster.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { setUpExternal, type ExternalSetup } from '../../../support/brokers/external-broker.js';
import { DISTRICT_PASSWORD, DISTRICT_USER, districtTrusted, emitStats, gatewayHead, oneTo, PREFIX, startReceiver, storedSeqs, waitComplete, waitUntil } from './district-fixture.js';

/** Registered beside test-estate, without gateways: the receiver's subscriptions must not grow with them. */
const MORE_ESTATES = Array.from({ length: 40 }, (_, index) => {
  const key = generateEd25519(`gateway-more-${index}`);
  return { id: `more-${index}`, kid: key.kid, publicKey: key.publicKey };
});
/** The receiver's QoS 1 filters (src/district/estate-routes.ts): one per topic kind under gatewarden/+, whatever the number of estates. */
const RECEIVER_FILTERS = 9;
/** Stats reports a second through the gateway's outbox while the load runs, and how long it runs; the gateway's node dies KILL_AT_MS in. */
const REPORTS_PER_S = 20;
const LOAD_MS = 15_000;
const KILL_AT_MS = 5_000;

/**
 * The district receiver on a real 3-node nats-server cluster (issue 15,
 * "What it must show": failover under load). The gateway and the receiver
 * each hold a persistent QoS 1 session on the cluster; the node the gateway
 * is on is SIGKILLed in the middle of a steady load. The receiver must end
 * with every report the gateway numbered, verified and contiguous, whatever
 * node each side ended on. Also here: on nats-server each QoS 1 filter of a
 * persistent session is a replicated JetStream consumer, so the receiver's
 * count must not grow with the estates it registers (41 here), and a
 * report under an estate prefix nobody registered is counted, never stored.
 */
describeWithTools(NATS_TOOLS, 'district receiver on a 3-node nats-server cluster', () => {
  let cluster: NatsCluster;
  let setup: ExternalSetup;
  let harness: Harness | undefined;
  let receiver: DistrictReceiver | undefined;
  let gatewayConsumers = 0;

  beforeAll(async () => {
    setup = await setUpExternal({
      prefix: PREFIX,
      protocolVersion: 4,
      commands: { keys: [districtTrusted] },
      broker: async (_prefix, users) => {
        cluster = await startNatsCluster({ users: [...users, { username: DISTRICT_USER, password: DISTRICT_PASSWORD }] });
        return { url: cluster.mqttUrls[0] as string, stop: async () => {}, start: async () => {}, close: () => cluster.close() };
      },
    });
    harness = await setup.startGateway({
      commands: { keys: [districtTrusted] },
      mqtt: { broker: { type: 'external', url: cluster.mqttUrls, username: 'gateway', passwordSecret: 'gateway', protocolVersion: 4 }, healthIntervalS: 1, checkpointEveryS: 1 },
    });
    await waitFor(() => harness?.gateway.mqtt.connection.node(), 'the gateway on a node', 30_000);
    // The gateway's own cmd/+ subscription is a consumer too: counted before the receiver starts.
    gatewayConsumers = await waitUntil(async () => (await consumers(cluster)) || undefined, () => "the gateway's consumer", 30_000);
  }, 90_000);

  afterAll(async () => {
    await receiver?.stop();
    await harness?.stop();
    await setup?.close();
  });

  const gateway = () => harness as Harness;
  const live = () => receiver as DistrictReceiver;

  it('subscribes a fixed handful of filters over all its estates, and stores nothing of an unregistered one', async () => {
    const key = gateway().gateway.secrets.gatewayKey;
    if (!key) throw new Error('the gateway made no key');
    receiver = await startReceiver({ url: cluster.mqttUrls, storage: { type: 'sqlite', dir: setup.dir }, gatewayKey: { kid: key.kid, publicKey: key.publicKey }, moreEstates: MORE_ESTATES });
    await waitUntil(async () => (await consumers(cluster)) >= gatewayConsumers + RECEIVER_FILTERS, () => 'the receiver subscribed', 60_000);
    emitStats(gateway(), 2);
    await waitComplete(live(), gateway());
    // The receiver's 9 filters, whatever the number of estates (per estate it would be 9 × 41). Under load the
    // gateway may ask again for a refused cmd/+ subscription, and nats-server may keep a consumer of the first try:
    // a couple more than 9 are that, never a consumer per estate.
    const receiverConsumers = (await consumers(cluster)) - gatewayConsumers;
    expect(receiverConsumers).toBeGreaterThanOrEqual(RECEIVER_FILTERS);
    expect(receiverConsumers).toBeLessThan(RECEIVER_FILTERS + MORE_ESTATES.length);

    // Well-formed, chained, on the same wildcard: counted as unregistered, never stored under any estate.
    const stray = stampReport({ id: 'stray-1', ts: new Date().toISOString(), v: 1 }, 1, '0'.repeat(64)).payload;
    await gateway().gateway.mqtt.connection.client.publishAsync('gatewarden/nobody-registered/stats', stray, { qos: 1 });
    await waitUntil(async () => /gatewarden_district_messages_total\{outcome="unregistered"\} [1-9]/.test(await metrics(live())), () => 'the stray report counted as unregistered');
    expect((await live().estates()).map((estate) => estate.estate)).not.toContain('nobody-registered');
    expect(await live().store.reportCounts()).toEqual([expect.objectContaining({ estate: 'test-estate' })]);
  }, 120_000);

  it('loses nothing when the node the gateway is on dies under load: the district ends contiguous to the gateway head', async () => {
    const firstUrl = gateway().gateway.mqtt.connection.node() as string;
    const firstNode = cluster.nodeAt(firstUrl);
    const before = gatewayHead(gateway()).seq;
    const started = Date.now();
    let killed: Promise<void> | undefined;
    for (let tick = 0; Date.now() - started < LOAD_MS; tick += 1) {
      if (!killed && Date.now() - started >= KILL_AT_MS) killed = cluster.kill(firstNode);
      emitStats(gateway(), 1);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + ((tick + 1) * 1000) / REPORTS_PER_S - Date.now())));
    }
    await killed;
    const head = gatewayHead(gateway()).seq;
    expect(head - before).toBeGreaterThan((LOAD_MS / 1000) * REPORTS_PER_S * 0.5);
    await waitFor(() => gateway().gateway.journal.outbox.stats(Date.now()).depth === 0, 'the outbox drained on another node', 60_000);
    expect(gateway().gateway.mqtt.connection.node()).not.toBe(firstUrl);

    await waitComplete(live(), gateway(), 90_000);
    expect(await storedSeqs(live())).toEqual(oneTo(gatewayHead(gateway()).seq));
    for (const kind of ['tampered', 'broken-link', 'conflict', 'bad-signature', 'checkpoint-mismatch', 'unfilled']) expect(await live().store.findings({ estate: 'test-estate', kind })).toEqual([]);
    const resends = /gatewarden_district_resend_requests_total\{estate="test-estate"\} (\d+)/.exec(await metrics(live()))?.[1] ?? '0';
    process.stdout.write(`district failover: ${head - before} reports under load, ${firstNode.name} killed, receiver on ${live().session.node() ?? '(away)'}, ${resends} resend requests\n`);
  }, 240_000);
});

/** JetStream consumers the cluster holds (the MQTT QoS 1 subscriptions of every session), as a running node counts them. */
async function consumers(cluster: NatsCluster): Promise<number> {
  const node = cluster.nodes.find((candidate) => candidate.running()) as NatsNode;
  const jsz = (await (await fetch(`${node.httpUrl}/jsz`, { signal: AbortSignal.timeout(5000) })).json()) as { consumers?: number };
  return jsz.consumers ?? 0;
}

async function metrics(receiver: DistrictReceiver): Promise<string> {
  return (await receiver.http?.app.inject({ url: '/metrics' }))?.body ?? '';
}
