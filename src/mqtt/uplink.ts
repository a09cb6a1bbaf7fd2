import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Mode } from '../core/mode.js';
import type { Db } from '../store/database.js';
import type { Journal } from '../store/journal.js';
import { Outbox } from '../store/outbox.js';
import { routeToUplink } from '../store/uplink-route.js';
import { VERSION } from '../version.js';
import type { UplinkConfig, BrokerPasswords } from './config-schema.js';
import { openConnection, type Connection } from './connection.js';
import { OutboxGuard } from './outbox-guard.js';
import { OutboxPublisher } from './outbox-publisher.js';
import type { Topics } from '../contract/topics.js';

export interface Uplink {
  connection: Connection;
  outbox: Outbox;
  publisher: OutboxPublisher;
  guard: OutboxGuard;
  stop(): Promise<void>;
}

/**
 * The district uplink: a second session to the district's broker with its own
 * store-and-forward queue. A temporary trigger copies the routed messages
 * (alerts and stats; passages when configured) into `uplink_outbox` inside
 * the very transaction that wrote them, so the uplink loses nothing the estate
 * broker would have got, and each side drains at its own pace.
 */
export function startUplink(options: {
  config: UplinkConfig;
  db: Db;
  journal: Journal;
  secrets: BrokerPasswords;
  topics: Topics;
  clock: Clock;
  log: Logger;
  mode: () => Mode;
  clientId: string;
  maxRows: number;
  window: number;
}): Uplink {
  const { config, db, topics } = options;
  const log = options.log.child({ module: 'uplink' });
  const unroute = routeToUplink(db, {
    prefixes: [`${topics.prefix}/alerts/`, ...(config.passages ? [`${topics.prefix}/passages/`] : [])],
    topics: [topics.stats, topics.gap, topics.audit, topics.checkpoint],
  });

  const password = config.passwordSecret ? options.secrets.mqttPasswords[config.passwordSecret] : undefined;
  const connection = openConnection({
    url: config.url,
    // The district's broker keeps the session, so its queue for the estate survives a node loss.
    clean: config.cleanSession ?? false,
    ...(config.username ? { username: config.username } : {}),
    ...(password ? { password } : {}),
    clientId: config.clientId ?? `${options.clientId}-uplink`,
    topics,
    version: VERSION,
    mode: options.mode,
    log: log,
    tls: { caFile: config.caFile },
  });
  const outbox = new Outbox(db, 'uplink_outbox');
  const publisher = new OutboxPublisher({ outbox, client: connection.client, log, window: options.window, ackFlushMs: 25 });
  const guard = new OutboxGuard({ db, outbox, journal: options.journal, maxRows: options.maxRows, clock: options.clock, log });
  return {
    connection,
    outbox,
    publisher,
    guard,
    async stop() {
      unroute();
      await publisher.stop(2000);
      await connection.stop();
    },
  };
}
