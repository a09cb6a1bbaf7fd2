import { MqttClient, type IPublishPacket } from 'mqtt';
import type { Logger } from 'pino';
import { brokerNodes, nodeDialler, ReconnectSchedule, tlsOptions, within } from '../mqtt/broker-dial.js';
import type { DistrictConfig } from './config-schema.js';
import { Code } from '../errors.js';

export interface SessionOptions {
  broker: DistrictConfig['broker'];
  clientId: string;
  password: string | undefined;
  /** Topic filters, subscribed at QoS 1 on every connect. */
  filters: readonly string[];
  /**
   * Handles one message; its PUBACK goes to the broker only once this resolves,
   * so a message the receiver had not stored is delivered again after a crash.
   */
  onMessage(packet: IPublishPacket): Promise<void>;
  log: Logger;
  random?: () => number;
}

export interface Session {
  client: MqttClient;
  connected(): boolean;
  /** The node the session is on (undefined while away). */
  node(): string | undefined;
  /** Ends the connection, keeping the broker's session (and what it queues meanwhile); never waits more than STOP_WAIT_MS. */
  stop(): Promise<void>;
}

/** How long a stop waits for the broker to take the DISCONNECT before the socket is closed. */
const STOP_WAIT_MS = 2000;

/**
 * The receiver's MQTT session: persistent (clean false, fixed client id,
 * [MQTT-3.1.2-4]) at QoS 1, over the nodes of a broker cluster tried in turn
 * with the gateway's growing, jittered back-off (src/mqtt/reconnect-backoff.ts).
 * Messages are handled one at a time, in the order the broker sends them.
 */
export function openSession(options: SessionOptions): Session {
  const log = options.log.child({ module: 'district-mqtt' });
  const random = options.random ?? Math.random;
  const dialler = nodeDialler(brokerNodes(options.broker.url), tlsOptions(options.broker.tls), random);
  const reconnects = new ReconnectSchedule(random);
  const client = new MqttClient(() => dialler.dial(log, reconnects.attempt, reconnects.delayMs), {
    clientId: options.clientId,
    username: options.broker.username,
    ...(options.password === undefined ? {} : { password: options.password }),
    protocolVersion: options.broker.protocolVersion,
    clean: false,
    // MQTT 5: the session outlives the connection by a week (3.1.1 keeps it until the broker's own expiry).
    ...(options.broker.protocolVersion === 5 ? { properties: { sessionExpiryInterval: 7 * 24 * 3600 } } : {}),
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    keepalive: 15,
  });
  client.handleMessage = (packet, done) => {
    options.onMessage(packet).then(
      () => done(),
      (error: Error) => {
        // Not acknowledged: the broker delivers it again after the reconnect this forces.
        log.error({ err: error.message, topic: packet.topic, code: Code.GW_STORAGE }, 'message not stored; reconnecting so the broker sends it again');
        client.stream.destroy();
      },
    );
  };
  client.on('connect', (connack) => {
    reconnects.connected();
    log.info({ url: dialler.current(), sessionPresent: connack.sessionPresent }, 'connected to MQTT broker');
    subscribe(client, options.filters, log);
  });
  client.on('error', (error) => log.warn({ url: dialler.current(), err: error.message, code: Code.GW_MQTT }, 'MQTT error'));
  client.on('close', () => reconnects.schedule(client));
  return {
    client,
    connected: () => client.connected,
    node: () => (client.connected ? dialler.current() : undefined),
    async stop() {
      reconnects.close();
      // Bounded: a session caught mid-reconnect, or a resend request the broker never acknowledges, must not hold a stop.
      if (!(await within(STOP_WAIT_MS, client.endAsync()))) await within(STOP_WAIT_MS, client.endAsync(true));
    },
  };
}

/**
 * A session the broker kept has the subscriptions; subscribing again is
 * harmless (nats-server keeps the JetStream consumer and what it holds) and
 * covers a parent new in the config.
 */
function subscribe(client: MqttClient, filters: readonly string[], log: Logger): void {
  client.subscribe([...filters], { qos: 1 }, (error, granted) => {
    if (error) log.warn({ err: error.message, code: Code.GW_MQTT }, 'subscribe failed');
    const refused = (granted ?? []).filter((grant) => grant.qos === 128).map((grant) => grant.topic);
    if (refused.length > 0) log.warn({ refused, code: Code.GW_MQTT }, 'the broker refused subscriptions (check the ACL)');
    else if (!error) log.info({ filters }, 'subscribed');
  });
}
