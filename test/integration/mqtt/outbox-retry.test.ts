import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { openConnection, type Connection } from '../../../src/mqtt/connection.js';
import { MessagePriority } from '../../../src/contract/messages.js';
import { OutboxPublisher } from '../../../src/mqtt/outbox-publisher.js';
import { topicsFor } from '../../../src/contract/topics.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { Outbox } from '../../../src/store/outbox.js';
import { waitFor } from '../../../support/gateway/gateway-harness.js';
import { MOSQUITTO_TOOLS, startMosquitto, type Mosquitto } from '../../../support/brokers/mosquitto.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { TestClient } from './mqtt-test-client.js';

const PREFIX = 'gatewarden/test-estate';
const log = pino({ level: 'silent' });
const aclAllowing = (topics: string[]) => ['user gateway', ...topics.map((t) => `topic readwrite ${PREFIX}/${t}`), '', 'user observer', `topic read ${PREFIX}/#`, ''].join('\n');

/**
 * An MQTT 5 broker may refuse one publish and keep the connection
 * (PUBACK reason code 0x87 here). The row stays in the outbox, the rows after
 * it still flow, and it is sent again with back-off until the broker takes it.
 */
describeWithTools(MOSQUITTO_TOOLS, 'outbox publisher and a publish the broker refuses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-retry-'));
  let mosquitto: Mosquitto | undefined;
  let db: Db | undefined;
  let connection: Connection | undefined;
  let publisher: OutboxPublisher | undefined;
  let observer: TestClient | undefined;

  afterAll(async () => {
    await publisher?.stop(0);
    await connection?.stop();
    await observer?.end();
    await mosquitto?.close();
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the refused row, delivers the others, and sends it once the broker allows it', async () => {
    const users = [
      { username: 'gateway', password: 'gateway-password-1', role: 'gateway' as const },
      { username: 'observer', password: 'observer-password-1', role: 'observer' as const },
    ];
    mosquitto = await startMosquitto({ prefix: PREFIX, users, acl: aclAllowing(['status', 'passages/#']) });
    db = openDatabase({ path: join(dir, 'retry.db'), synchronous: 'normal', log });
    const outbox = new Outbox(db);
    const message = (topic: string, id: string, priority: MessagePriority) => ({ topic: `${PREFIX}/${topic}`, payload: JSON.stringify({ id }), qos: 1 as const, retain: false, priority });
    const rows = [message('passages/main/in', 'p-1', MessagePriority.Passage), message('alerts/fever', 'a-1', MessagePriority.Alert), message('passages/main/in', 'p-2', MessagePriority.Passage)];
    db.transaction(() => rows.forEach((row, i) => outbox.enqueue(row, Date.now() + i)))();

    observer = await TestClient.connect({ url: mosquitto.url, prefix: PREFIX, username: 'observer', password: 'observer-password-1', protocolVersion: 5 });
    await observer.subscribe('#');
    connection = openConnection({ url: mosquitto.url, username: 'gateway', password: 'gateway-password-1', clientId: 'retry-gateway', topics: topicsFor(PREFIX), version: 'test', mode: () => 'normal', log, protocolVersion: 5 });
    publisher = new OutboxPublisher({ outbox, client: connection.client, log, window: 8, ackFlushMs: 10 });

    const ids = () => observer?.received.map((m) => (JSON.parse(m.payload.toString()) as { id: string }).id) ?? [];
    await waitFor(() => ids().includes('p-1') && ids().includes('p-2'), 'the passages around the refused alert');
    await waitFor(() => outbox.stats(Date.now()).depth === 1, 'only the refused alert left in the outbox');
    expect(ids()).not.toContain('a-1');

    mosquitto.setAcl(aclAllowing(['#']));
    await waitFor(() => ids().includes('a-1'), 'the alert, once the broker accepts it', 15_000);
    await waitFor(() => outbox.stats(Date.now()).depth === 0, 'outbox empty');
    expect(connection.client.connected).toBe(true);
  }, 30_000);

  it('drains a queue longer than its window on the acknowledgements, not on the once-a-second safety poll', async () => {
    if (!mosquitto || !db || !observer) throw new Error('needs the first test\'s broker, database and observer');
    const outbox = new Outbox(db, 'uplink_outbox');
    const count = 40;
    db.transaction(() => {
      for (let i = 0; i < count; i += 1) outbox.enqueue({ topic: `${PREFIX}/passages/main/in`, payload: JSON.stringify({ id: `w-${i}` }), qos: 1, retain: false, priority: MessagePriority.Passage }, Date.now() + i);
    })();
    const narrow = openConnection({ url: mosquitto.url, username: 'gateway', password: 'gateway-password-1', clientId: 'window-gateway', topics: topicsFor(PREFIX), version: 'test', mode: () => 'normal', log, protocolVersion: 5 });
    const drain = new OutboxPublisher({ outbox, client: narrow.client, log, window: 2, ackFlushMs: 10 });
    try {
      const seen = () => new Set(observer?.received.map((m) => (JSON.parse(m.payload.toString()) as { id: string }).id).filter((id) => id.startsWith('w-')));
      // 20 windows of 2: waiting on the poll would take 20 s.
      await waitFor(() => seen().size === count, `all ${count} rows through a window of 2`, 5000);
    } finally {
      await drain.stop(0);
      await narrow.stop();
    }
  }, 30_000);
});
