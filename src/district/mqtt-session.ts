import { readFileSync } from 'node:fs';
import { connect as connectTcp, isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as connectTls } from 'node:tls';
import { MqttClient, type IPublishPacket } from 'mqtt';
import type { Logger } from 'pino';
import { brokerNodes } from '../mqtt/connection.js';
import { reconnectDelayMs } from '../mqtt/reconnect-backoff.js';
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
  const dialler = nodeDialler(brokerNodes(options.broker.url), options.broker.tls, random, log);
  const client = new MqttClient(dialler.dial, {
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
    log.info({ url: dialler.current(), sessionPresent: connack.sessionPresent }, 'connected to MQTT broker');
    subscribe(client, options.filters, log);
  });
  client.on('error', (error) => log.warn({ url: dialler.current(), err: error.message, code: 'GW_MQTT' }, 'MQTT error'));
  const reconnects = reconnectWithBackoff(client, random);
  return {
    client,
    connected: () => client.connected,
    node: () => (client.connected ? dialler.current() : undefined),
    async stop() {
      reconnects.stop();
      // Bounded: a session caught mid-reconnect, or a resend request the broker never acknowledges, must not hold a stop.
      if (!(await settlesWithin(STOP_WAIT_MS, client.endAsync()))) await settlesWithin(STOP_WAIT_MS, client.endAsync(true));
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
    if (error) log.warn({ err: error.message, code: 'GW_MQTT' }, 'subscribe failed');
    const refused = (granted ?? []).filter((grant) => grant.qos === 128).map((grant) => grant.topic);
    if (refused.length > 0) log.warn({ refused, code: 'GW_MQTT' }, 'the broker refused subscriptions (check the ACL)');
    else if (!error) log.info({ filters }, 'subscribed');
  });
}

/** Every lost or failed connection schedules one attempt, to the next node, after a growing jittered delay. */
function reconnectWithBackoff(client: MqttClient, random: () => number): { stop(): void } {
  let attempt = 0;
  let closing = false;
  let timer: NodeJS.Timeout | undefined;
  client.on('connect', () => (attempt = 0));
  client.on('close', () => {
    if (closing || timer) return;
    const delayMs = reconnectDelayMs(attempt, random());
    attempt += 1;
    timer = setTimeout(() => {
      timer = undefined;
      if (!closing) client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    }, delayMs);
  });
  return {
    stop() {
      closing = true;
      clearTimeout(timer);
    },
  };
}

/** Rotates through the cluster's nodes, one per attempt, from a random first one (several receivers spread over the cluster). */
function nodeDialler(urls: readonly string[], tls: DistrictConfig['broker']['tls'], random: () => number, log: Logger): { dial(): Duplex; current(): string | undefined } {
  const tlsFiles = {
    ...(tls?.caFile ? { ca: readFileSync(tls.caFile) } : {}),
    ...(tls?.certFile ? { cert: readFileSync(tls.certFile) } : {}),
    ...(tls?.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
  };
  let next = Math.floor(random() * urls.length) % urls.length;
  let current: string | undefined;
  return {
    current: () => current,
    dial() {
      const url = urls[next] as string;
      next = (next + 1) % urls.length;
      current = url;
      const parsed = new URL(url);
      const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
      const secure = parsed.protocol === 'mqtts:';
      const port = Number(parsed.port) || (secure ? 8883 : 1883);
      log.info({ url }, 'connecting to MQTT broker');
      return secure ? connectTls({ host, port, ...(isIP(host) === 0 ? { servername: host } : {}), ...tlsFiles }) : connectTcp({ host, port });
    },
  };
}

/** Whether `promise` settled within `ms`. */
function settlesWithin(ms: number, promise: Promise<unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(done, done);
  });
}
