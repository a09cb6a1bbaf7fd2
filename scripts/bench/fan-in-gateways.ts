import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EventBus } from '../../src/event-bus.js';
import { startCheckpoints } from '../../src/mqtt/checkpoints.js';
import { openConnection, type Connection } from '../../src/mqtt/connection.js';
import { OutboxPublisher } from '../../src/mqtt/outbox-publisher.js';
import { topicsFor } from '../../src/contract/topics.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import { Journal } from '../../src/store/journal.js';
import { reportSigner } from '../../src/store/report-chain-format.js';
import { subjectHasher } from '../../src/store/subject-hash.js';
import { silent, syntheticPassage } from './fixtures.js';

/**
 * One child process of the fan-in bench (fan-in.ts): a share of the simulated
 * gateways, each with what a real gateway has on its uplink side: its own
 * SQLite file with the real Journal, Outbox and ReportChain (seq, prev, hash,
 * signed gap records), its own MQTT session (src/mqtt/connection.ts, the
 * cluster's nodes, its own user and client id), the real OutboxPublisher and
 * signed checkpoints with its own gateway key. It answers cmd/resend from its
 * report_log as resend-command.ts does (the signature is not checked here).
 *
 * Load: 1 passage a second and 1 alert a minute per gateway, phased over the
 * gateways so the cluster sees an even stream, for `seconds` from the time
 * the parent sends (IPC: ready → start → done with each estate's head seq → stop).
 */

export interface GatewaySpec {
  /** Index over all gateways of the run (phases the load). */
  index: number;
  estate: string;
  prefix: string;
  username: string;
  password: string;
  key: { kid: string; privateKey: string };
}

export interface ChildSpec {
  urls: string[];
  dir: string;
  total: number;
  seconds: number;
  /** Gateways this process opens per second (0: all at once). */
  connectPerS: number;
  gateways: GatewaySpec[];
}

export type ChildMessage =
  | { type: 'ready'; connected: number }
  | { type: 'done'; heads: Record<string, number>; passages: number; alerts: number; backlog: number; resends: number; subscribeRefused: number; loopDelayP99Ms: number; cpuS: number };

const PASSAGE_EVERY_MS = 1000;
const ALERT_EVERY_MS = 60_000;
const DRAIN_WITHIN_MS = 120_000;
const CONNECT_WITHIN_MS = 1_800_000;

interface Gateway {
  spec: GatewaySpec;
  db: Db;
  journal: Journal;
  connection: Connection;
  publisher: OutboxPublisher;
  checkpoints: { stop(): void };
  timers: NodeJS.Timeout[];
  /** Its cmd/+ subscription is in place (a JetStream consumer on nats-server): resends reach it. */
  subscribed(): boolean;
}

let startAt = 0;
const spec = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as ChildSpec;
const send = (message: ChildMessage) => process.send?.(message);
const counts = { passages: 0, alerts: 0, resends: 0, subscribeRefused: 0 };
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

function open(gateway: GatewaySpec): Gateway {
  const topics = topicsFor(gateway.prefix);
  // synchronous NORMAL: these gateways stand for separate machines, each with its own disk; 1,000 fsyncs a second on one shared disk would measure that disk.
  const db = openDatabase({ path: join(spec.dir, `${gateway.estate}.db`), synchronous: 'normal', log: silent });
  const signer = reportSigner(gateway.key);
  const events = new EventBus(silent);
  const journal = new Journal(db, topics, subjectHasher(Buffer.alloc(32, gateway.index % 256)), signer, events);
  // A persistent session, as the gateway keeps on an external broker (mqtt-link.ts).
  const connection = openConnection({ url: spec.urls, username: gateway.username, password: gateway.password, clientId: gateway.username, topics, version: 'bench', mode: () => 'normal', log: silent, clean: false });
  const publisher = new OutboxPublisher({ outbox: journal.outbox, client: connection.client, log: silent, window: 64, ackFlushMs: 25 });
  events.on('journal-enqueued', () => publisher.kick());
  // As the gateway does (mqtt-link.ts): commands at QoS 1, a refused subscription asked for again; cmd/resend answered
  // from the kept reports, byte for byte.
  let subscribed = false;
  const subscribe = () =>
    connection.client.subscribe(topics.command('+'), { qos: 1 }, (error) => {
      subscribed ||= !error;
      if (!error) return;
      counts.subscribeRefused += 1;
      setTimeout(() => connection.client.connected && subscribe(), 5000).unref();
    });
  connection.client.on('connect', subscribe);
  connection.client.on('message', (topic, payload) => {
    if (topic !== topics.command('resend')) return;
    const body = JSON.parse(payload.toString()) as { fromSeq?: number; toSeq?: number };
    if (typeof body.fromSeq !== 'number' || typeof body.toSeq !== 'number') return;
    const { reports } = journal.chain.range(body.fromSeq, Math.min(body.toSeq, body.fromSeq + 9999));
    const now = Date.now();
    db.transaction(() => reports.forEach((report) => journal.outbox.enqueueAsIs(report, now)))();
    counts.resends += 1;
    publisher.kick();
  });
  const checkpoints = startCheckpoints({ journal, signer, topics, clock: { now: Date.now }, log: silent, everyS: 60 });
  return { spec: gateway, db, journal, connection, publisher, checkpoints, timers: [], subscribed: () => subscribed };
}

/** Calls `work` at startAt + phase + k·every while before the end, without drift. */
function every(gateway: Gateway, phaseMs: number, everyMs: number, work: (k: number) => void): void {
  const end = startAt + spec.seconds * 1000;
  let k = 0;
  const next = () => {
    const due = startAt + phaseMs + k * everyMs;
    if (due >= end) return;
    const timer = setTimeout(() => {
      work(k);
      k += 1;
      next();
    }, Math.max(0, due - Date.now()));
    gateway.timers.push(timer);
  };
  next();
}

function load(gateway: Gateway): void {
  const share = gateway.spec.index / spec.total;
  every(gateway, share * PASSAGE_EVERY_MS, PASSAGE_EVERY_MS, (k) => {
    void gateway.journal.recordPassage(syntheticPassage(gateway.spec.index * 1_000_000 + k, Date.now()), []);
    counts.passages += 1;
  });
  every(gateway, share * ALERT_EVERY_MS, ALERT_EVERY_MS, () => {
    gateway.journal.recordAlert({ type: 'fever', severity: 'critical', at: Date.now(), gate: 'g0', lane: 'p0', reasons: ['FEVER'], details: { temperatureC: 38.4 } });
    counts.alerts += 1;
  });
}

async function main(): Promise<void> {
  // Opened at a bounded rate: 1,000 persistent sessions connecting in the same second overwhelm a 3-node nats-server 2.9
  // on 2 cores (connects time out, are retried, and each retry makes JetStream work again: docs/BENCHMARKS.md, "Fan-in").
  const gateways: Gateway[] = [];
  for (const gateway of spec.gateways) {
    gateways.push(open(gateway));
    if (spec.connectPerS > 0) await new Promise((resolve) => setTimeout(resolve, 1000 / spec.connectPerS));
  }
  const connectBy = Date.now() + CONNECT_WITHIN_MS;
  while (gateways.some((gateway) => !gateway.connection.client.connected || !gateway.subscribed()) && Date.now() < connectBy) await new Promise((resolve) => setTimeout(resolve, 100));
  send({ type: 'ready', connected: gateways.filter((gateway) => gateway.connection.client.connected).length });
  startAt = await new Promise<number>((resolve) => process.once('message', (message: { startAt: number }) => resolve(message.startAt)));
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();
  gateways.forEach(load);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt + spec.seconds * 1000 - Date.now() + 50)));
  // A last signed checkpoint covers each gateway's newest reports (the receiver stores a report once a checkpoint's chain reaches it).
  // The load ends first: a timer that fires late on a busy machine would add a report after it, which nothing covers.
  for (const gateway of gateways) gateway.timers.forEach(clearTimeout);
  for (const gateway of gateways) {
    gateway.checkpoints.stop();
    gateway.checkpoints = startCheckpoints({ journal: gateway.journal, signer: reportSigner(gateway.spec.key), topics: topicsFor(gateway.spec.prefix), clock: { now: Date.now }, log: silent, everyS: 3600 });
  }
  const drainBy = Date.now() + DRAIN_WITHIN_MS;
  const backlog = () => gateways.reduce((sum, gateway) => sum + gateway.journal.outbox.stats(Date.now()).depth, 0);
  while (backlog() > 0 && Date.now() < drainBy) await new Promise((resolve) => setTimeout(resolve, 200));
  const cpu = process.cpuUsage(cpuBefore);
  send({
    type: 'done',
    heads: Object.fromEntries(gateways.map((gateway) => [gateway.spec.estate, gateway.journal.chain.head().seq])),
    ...counts,
    backlog: backlog(),
    loopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
    cpuS: Math.round((cpu.user + cpu.system) / 1e4) / 100,
  });
  // Stay connected (resends are still answered) until the parent has read the receiver's completeness.
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
  await Promise.all(
    gateways.map(async (gateway) => {
      gateway.checkpoints.stop();
      gateway.timers.forEach(clearTimeout);
      await gateway.publisher.stop(0);
      await gateway.connection.stop();
      gateway.db.close();
    }),
  );
  process.exit(0);
}

process.on('disconnect', () => process.exit(0));
await main();
