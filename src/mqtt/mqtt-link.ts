import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Mode } from '../core/mode.js';
import type { Config } from '../config/schema.js';
import type { AnyDevice } from '../drivers/device.js';
import type { Secrets } from '../secrets.js';
import type { Outbox } from '../store/outbox.js';
import { VERSION } from '../version.js';
import { aclFor, type BrokerRole } from './acl.js';
import { openConnection, type Connection } from './connection.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
import { OutboxPublisher } from './outbox-publisher.js';
import { hashPassword } from './password-hash.js';
import { PAYLOAD_VERSION, type DeviceMessage } from './payloads.js';
import type { Topics } from './topics.js';

export interface MqttLinkOptions {
  config: Readonly<Config>;
  secrets: Secrets;
  topics: Topics;
  clock: Clock;
  log: Logger;
  mode: () => Mode;
  devices: readonly AnyDevice[];
  outbox: Outbox;
}

export interface MqttLink {
  topics: Topics;
  /** `mqtt://host:port` the gateway publishes to. */
  url: string;
  broker?: EmbeddedBroker;
  connection: Connection;
  publisher: OutboxPublisher;
  publishDevice(device: AnyDevice): void;
  stop(): Promise<void>;
}

const ROLES: Record<string, BrokerRole> = { gateway: 'gateway', observer: 'observer' };

/** Brings up the broker side: the embedded broker when configured, the gateway's session and the outbox drain. */
export async function startMqtt(options: MqttLinkOptions): Promise<MqttLink> {
  const { config, secrets, topics, log } = options;
  const brokerConfig = config.mqtt.broker;
  let broker: EmbeddedBroker | undefined;
  let url: string;
  let username: string | undefined;
  let password: string | undefined;
  if (brokerConfig.type === 'embedded') {
    broker = await startEmbeddedBroker({
      host: brokerConfig.host,
      port: brokerConfig.port,
      users: Object.entries(secrets.mqttPasswords).map(([user, secret]) => ({ username: user, passwordHash: hashPassword(secret), role: ROLES[user] ?? 'observer' })),
      acl: aclFor(topics.prefix),
      log,
    });
    url = `mqtt://${brokerConfig.host}:${broker.port}`;
    username = 'gateway';
    password = secrets.mqttPasswords.gateway;
  } else {
    url = brokerConfig.url;
    username = brokerConfig.username;
    password = brokerConfig.passwordSecret ? secrets.mqttPasswords[brokerConfig.passwordSecret] : undefined;
  }

  const connection = openConnection({
    url,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    clientId: config.mqtt.clientId ?? `gatewarden-${config.estate.id}`,
    topics,
    version: VERSION,
    mode: options.mode,
    log,
  });
  const publisher = new OutboxPublisher({ outbox: options.outbox, client: connection.client, log: log.child({ module: 'outbox' }), window: 64, ackFlushMs: 25 });

  const publishDevice = (device: AnyDevice) => {
    if (!connection.client.connected) return;
    const status = device.status();
    const payload: DeviceMessage = {
      id: randomUUID(),
      ts: new Date(options.clock.now()).toISOString(),
      v: PAYLOAD_VERSION,
      device: device.id,
      role: device.role,
      availability: status.availability,
      since: new Date(status.since).toISOString(),
      lastError: status.lastError ? { code: status.lastError.code, message: status.lastError.message, at: new Date(status.lastError.at).toISOString() } : null,
    };
    connection.client.publish(topics.device(device.id), JSON.stringify(payload), { qos: 1, retain: true });
  };
  // Retained device state is republished on every connect, so a restarted broker never serves stale availability.
  connection.client.on('connect', () => options.devices.forEach(publishDevice));

  return {
    topics,
    url,
    ...(broker ? { broker } : {}),
    connection,
    publisher,
    publishDevice,
    async stop() {
      await publisher.stop(2000);
      await connection.stop();
      await broker?.stop();
    },
  };
}
