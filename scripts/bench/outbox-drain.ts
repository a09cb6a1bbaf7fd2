import { rmSync } from 'node:fs';
import mqtt from 'mqtt';
import { openConnection } from '../../src/mqtt/connection.js';
import { passageMessage } from '../../src/contract/messages.js';
import { OutboxPublisher } from '../../src/mqtt/outbox-publisher.js';
import { topicsFor } from '../../src/contract/topics.js';
import { findTool } from '../../support/tools/system-tools.js';
import { MOSQUITTO_TOOLS, startMosquitto, type MosquittoUser } from '../../support/brokers/mosquitto.js';
import { aedesBroker, type BrokerFactory } from '../../support/brokers/external-broker.js';
import { benchJournal, silent, syntheticPassage } from './fixtures.js';
import type { Bench } from './types.js';

const PREFIX = 'gatewarden/bench';
const WINDOW = 64;
const USERS: MosquittoUser[] = [
  { username: 'gateway', password: 'bench-gateway-password', role: 'gateway' },
  { username: 'observer', password: 'bench-observer-password', role: 'observer' },
];

/**
 * Mosquitto's defaults drop QoS 1 messages to a subscriber that falls behind:
 * past max_queued_messages (1000) queued for one client, a message the
 * publisher already has its PUBACK for is discarded, silently (a fresh
 * machine stalled at 16341/20000). The subscriber here is slower than the
 * publisher by design, so the queue is sized for the whole run and bounded in
 * bytes instead; docs/operations.md gives the same settings for a district
 * broker.
 */
export const MOSQUITTO_NO_DROP = ['max_queued_messages 1000000', 'max_queued_bytes 268435456', 'persistent_client_expiration 1d'];

const mosquittoNoDrop: BrokerFactory = (prefix, users) => startMosquitto({ prefix, users, extraConfig: MOSQUITTO_NO_DROP });

/**
 * Messages per second from a pre-filled outbox to a subscriber, QoS 1 end to
 * end: the OutboxPublisher (window of 64 in flight, a row deleted only on its
 * PUBACK) drains N passage messages from a real SQLite store; the clock stops
 * when the subscriber has received every id and the outbox is empty.
 */
async function drain(factory: BrokerFactory, rows: number): Promise<{ perSecond: number; seconds: number; duplicates: number }> {
  const { db, journal, dir } = benchJournal('normal');
  const broker = await factory(PREFIX, USERS);
  const topics = topicsFor(PREFIX);
  const start = Date.now();
  db.transaction(() => {
    for (let i = 0; i < rows; i += 1) journal.outbox.enqueue(passageMessage(topics, syntheticPassage(i, start + i), null), start + i);
  })();

  // A persistent session: the broker keeps this subscriber's queue across a reconnect.
  const subscriber = await mqtt.connectAsync(broker.url, { username: 'observer', password: 'bench-observer-password', protocolVersion: 4, clean: false, clientId: 'bench-observer' });
  const seen = new Set<string>();
  let duplicates = 0;
  subscriber.on('message', (_topic, payload) => {
    const { id } = JSON.parse(payload.toString()) as { id: string };
    if (seen.has(id)) duplicates += 1;
    seen.add(id);
  });
  await subscriber.subscribeAsync(`${PREFIX}/passages/#`, { qos: 1 });

  // The gateway's own session (src/mqtt/connection.ts), as in production.
  const connection = openConnection({ url: broker.url, username: 'gateway', password: 'bench-gateway-password', clientId: 'bench-gateway', topics, version: 'bench', mode: () => 'normal', log: silent });
  const started = process.hrtime.bigint();
  const publisher = new OutboxPublisher({ outbox: journal.outbox, client: connection.client, log: silent, window: WINDOW, ackFlushMs: 25 });
  try {
    const deadline = Date.now() + 300_000;
    while (seen.size < rows || journal.outbox.stats(Date.now()).depth > 0) {
      if (Date.now() > deadline) throw new Error(`drain stalled: ${seen.size}/${rows} received`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { perSecond: Math.round(rows / seconds), seconds: Math.round(seconds * 100) / 100, duplicates };
  } finally {
    await publisher.stop(0);
    await connection.stop();
    await subscriber.endAsync();
    await broker.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export const outboxDrain: Bench = async ({ scale, log }) => {
  const rows = Math.max(1000, Math.round(20_000 * scale));
  const figures: Record<string, number | string> = { 'rows pre-filled': rows, 'in-flight window': WINDOW };
  const notes = [
    'Real SQLite store (WAL, synchronous NORMAL) and a real broker on 127.0.0.1; the subscriber (persistent session) confirms every id at QoS 1; publisher and broker on the same machine.',
    `Mosquitto runs with ${MOSQUITTO_NO_DROP.join(', ')}: with its default max_queued_messages 1000 it drops acknowledged messages to the slower subscriber and the drain never completes (see docs/operations.md, "MQTT broker: no silent drops").`,
    'Before, with Mosquitto\'s defaults: "drain stalled: 16341/20000 received" on a fresh machine (issue 14); after, every run drains completely, 0 duplicates.',
  ];
  const aedes = await drain(aedesBroker, rows);
  log(`aedes: ${aedes.perSecond} msg/s (${aedes.seconds} s, ${aedes.duplicates} duplicates)`);
  figures['aedes, messages/s'] = aedes.perSecond;
  if (MOSQUITTO_TOOLS.every((tool) => findTool(tool) !== undefined)) {
    const mosquitto = await drain(mosquittoNoDrop, rows);
    log(`Mosquitto: ${mosquitto.perSecond} msg/s (${mosquitto.seconds} s, ${mosquitto.duplicates} duplicates)`);
    figures['Mosquitto, messages/s'] = mosquitto.perSecond;
  } else {
    figures['Mosquitto, messages/s'] = 'not measured (mosquitto not installed)';
  }
  return { name: 'outbox-drain', title: 'Outbox drain rate, QoS 1', command: 'npm run build && npm run bench -- --only outbox-drain', figures, notes };
};
