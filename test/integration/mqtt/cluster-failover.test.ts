import mqtt, { type MqttClient } from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import { ed25519PublicKey } from '../../../src/contract/signature.js';
import { verifyStream } from '../../../src/district/verify-stream.js';
import { createIssuer } from '../../helpers/health-pass-issuer.js';
import { waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';
import { NATS_TOOLS, startNatsCluster, type NatsCluster, type NatsNode } from '../../../support/brokers/nats-cluster.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { setUpExternal, type ExternalSetup } from '../../../support/brokers/external-broker.js';

const PREFIX = 'gatewarden/test-estate';
/** Reports in the chain (docs/district.md); status, mode, devices, health and checkpoints are outside it. */
const CHAINED = /^gatewarden\/test-estate\/(passages\/|alerts\/|stats$|audit$|gap$)/;
/**
 * A steady load, one person at a time on the entry lane, at most one every
 * PACE_MS: for LOAD_MS, and on until AFTER_RECONNECT passages were decided with
 * the gateway on another node, but never past MAX_LOAD_MS.
 */
const LOAD_MS = 16_000;
const MAX_LOAD_MS = 40_000;
const AFTER_RECONNECT = 10;
const PACE_MS = 20;
/** The gateway's node is killed this far into the load. */
const KILL_AT_MS = 5_000;

/** A district desk: a persistent QoS 1 session (clean false, fixed client id) that reconnects on its own. */
interface Desk {
  client: MqttClient;
  received: Array<{ topic: string; payload: Record<string, unknown> }>;
  ids(topic: RegExp): string[];
  end(): Promise<void>;
}

/**
 * Failover on a real broker cluster (issue 15, "A broker cluster with
 * failover"): three nats-server nodes on loopback, JetStream clustered, the
 * MQTT streams replicated on all three (test/helpers/nats-cluster.ts). While a
 * node's JetStream leaderships move after its death, the others refuse MQTT
 * connects for several seconds ("timeout for request type SL"): clients get
 * in with retries, which is what the gateway's back-off does.
 */
describeWithTools(NATS_TOOLS, 'broker cluster failover (3 nats-server nodes)', () => {
  let cluster: NatsCluster;
  let setup: ExternalSetup | undefined;
  let harness: Harness | undefined;
  let desks: Desk[] = [];
  const issuer = createIssuer('district-1');

  // A fresh cluster for each test: the external-broker setup makes the secrets and the users, its "broker" is the cluster.
  const startCluster = async () => {
    setup = await setUpExternal({
      prefix: PREFIX,
      protocolVersion: 4,
      broker: async (_prefix, users) => {
        cluster = await startNatsCluster({ users });
        return { url: cluster.mqttUrls[0] as string, stop: async () => {}, start: async () => {}, close: () => cluster.close() };
      },
    });
    return setup;
  };

  afterEach(async () => {
    for (const made of desks) await made.end();
    desks = [];
    await harness?.stop();
    harness = undefined;
    await setup?.close();
    setup = undefined;
  });

  const desk = async (node: NatsNode, session: string): Promise<Desk> => {
    const client = mqtt.connect(node.mqttUrl, {
      username: 'observer',
      password: setup?.secrets.mqttPasswords.observer,
      protocolVersion: 4,
      clientId: session,
      clean: false,
      reconnectPeriod: 500,
      connectTimeout: 10_000,
    });
    client.on('error', () => {});
    const received: Desk['received'] = [];
    client.on('message', (topic, payload) => received.push({ topic, payload: JSON.parse(payload.toString()) as Record<string, unknown> }));
    const made: Desk = {
      client,
      received,
      ids: (topic) => received.filter((m) => topic.test(m.topic)).map((m) => m.payload.id as string),
      end: () => client.endAsync(),
    };
    desks.push(made);
    await waitFor(() => client.connected, `${session} connected to ${node.name}`, 30_000);
    return made;
  };

  it('loses no report when the node the gateway is on dies under load: every passage arrives, the seq is contiguous, the gateway is on another node', async () => {
    harness = await (await startCluster()).startGateway({
      trust: { maxAgeHours: 24, issuers: [{ kid: issuer.kid, publicKey: issuer.publicKey }] },
      mqtt: {
        broker: { type: 'external', url: cluster.mqttUrls, username: 'gateway', passwordSecret: 'gateway', protocolVersion: 4 },
        healthIntervalS: 1,
      },
    });
    const { gateway } = harness;
    const connection = gateway.mqtt.connection;
    const firstUrl = await waitFor(() => connection.node(), 'the gateway on a node', 30_000);
    const firstNode = cluster.nodeAt(firstUrl);
    const district = await desk(cluster.nodes.find((node) => node !== firstNode) as NatsNode, 'district-desk');
    await district.client.subscribeAsync(`${PREFIX}/#`, { qos: 1 });

    const started = Date.now();
    let killed: Promise<void> | undefined;
    /** Passages decided when the node died, and when the gateway was on another node. */
    const decidedAt = { kill: 0, reconnect: 0 };
    let failoverMs = 0;
    const lane = gateway.lanes.get('main/in');
    const loading = () => {
      const elapsedMs = Date.now() - started;
      const settled = decidedAt.reconnect > 0 && (harness?.passages.length ?? 0) >= decidedAt.reconnect + AFTER_RECONNECT;
      return elapsedMs < MAX_LOAD_MS && (elapsedMs < LOAD_MS || !settled);
    };
    for (let index = 0; index < MAX_LOAD_MS / PACE_MS && loading(); index += 1) {
      if (!killed && Date.now() - started >= KILL_AT_MS) {
        decidedAt.kill = index;
        const killedAt = Date.now();
        connection.client.once('connect', () => {
          decidedAt.reconnect = harness?.passages.length ?? 0;
          failoverMs = Date.now() - killedAt;
        });
        killed = cluster.kill(firstNode);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + index * PACE_MS - Date.now())));
      harness.thermometer('in-thermo').present(36.6);
      harness.barrier('in-barrier').expectWalk(0);
      harness.scanner('in-scanner').scan(issuer.issue({ sub: `visitor-${index}` }));
      await waitFor(() => harness?.passages.length === index + 1 && lane?.phase === 'idle', `passage ${index}`);
    }
    await killed;
    const decided = harness.passages.map((passage) => passage.id);
    // The load went on before, through and after the failover.
    expect(decidedAt.kill).toBeGreaterThan(0);
    expect(decidedAt.reconnect).toBeGreaterThan(decidedAt.kill);
    expect(decided.length).toBeGreaterThanOrEqual(decidedAt.reconnect + AFTER_RECONNECT);

    const passages = /\/passages\/main\/in$/;
    await waitFor(() => new Set(district.ids(passages)).size >= decided.length, 'every passage at the district', 30_000);
    const received = district.ids(passages);
    expect(decided.filter((id) => !received.includes(id))).toEqual([]);

    // The report stream (issue 15, part 1): up to the gateway's head, every seq present once, every link intact.
    const head = (gateway.db.prepare('SELECT seq FROM report_head').get() as { seq: number }).seq;
    const reports = () => district.received.filter((m) => CHAINED.test(m.topic)).map((m) => m.payload);
    await waitFor(() => reports().some((report) => report.seq === head), `report ${head} at the district`, 20_000);
    const gatewayKey = gateway.secrets.gatewayKey;
    if (!gatewayKey) throw new Error('the gateway has no report key');
    const verdict = verifyStream(reports(), { key: ed25519PublicKey(gatewayKey.publicKey) });
    expect(verdict).toMatchObject({ missing: [], explained: [], findings: [] });
    expect(verdict.contiguousTo).toBeGreaterThanOrEqual(head);

    expect(firstNode.running()).toBe(false);
    expect(connection.node()).toBeDefined();
    expect(connection.node()).not.toBe(firstUrl);
    const elapsedMs = Date.now() - started;
    process.stdout.write(`cluster failover: ${decided.length} passages (node killed after ${decidedAt.kill}, gateway back after ${decidedAt.reconnect}, ${failoverMs} ms after the kill), ${received.length - new Set(received).size} duplicate passages, ${verdict.duplicates} duplicate reports, ${elapsedMs} ms\n`);
    expect(elapsedMs).toBeLessThan(60_000);
  }, 120_000);

  it('keeps what a persistent QoS 1 session missed when the node it used dies, hands it over on another node, and on the node once restarted', async () => {
    await startCluster();
    const [first, second, third] = cluster.nodes as [NatsNode, NatsNode, NatsNode];
    const away = await desk(first, 'desk-queue');
    await away.client.subscribeAsync(`${PREFIX}/alerts/#`, { qos: 1 });
    await away.end();
    const publisher = await desk(second, 'desk-publisher');
    const sent = Array.from({ length: 50 }, (_, index) => `queued-${index}`);
    // QoS 1: each PUBACK means the cluster stored the message for the absent session.
    for (const id of sent) await publisher.client.publishAsync(`${PREFIX}/alerts/test`, JSON.stringify({ id }), { qos: 1 });
    await cluster.kill(first);
    const back = await desk(third, 'desk-queue');
    await waitFor(() => new Set(back.ids(/alerts\/test$/)).size === sent.length, 'the queued messages on another node', 20_000);
    expect(new Set(back.ids(/alerts\/test$/))).toEqual(new Set(sent));
    await back.end();

    // The killed node rejoins; the session moves back to it and gets what was queued in between.
    await cluster.restart(first);
    await publisher.client.publishAsync(`${PREFIX}/alerts/test`, JSON.stringify({ id: 'after-restart' }), { qos: 1 });
    const home = await desk(first, 'desk-queue');
    await waitFor(() => home.ids(/alerts\/test$/).includes('after-restart'), 'the message queued after the restart, on the restarted node', 20_000);
  }, 120_000);
});
