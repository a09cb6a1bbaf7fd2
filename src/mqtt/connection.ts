import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { MqttClient, type IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import type { Mode } from '../core/mode.js';
import { PAYLOAD_VERSION } from '../contract/payload-version.js';
import type { StatusMessage } from '../contract/state-payloads.js';
import type { Topics } from '../contract/topics.js';
import { brokerNodes, nodeDialler, ReconnectSchedule, tlsOptions, within } from './broker-dial.js';
import { Code } from '../errors.js';

export interface ConnectionOptions {
  /** The broker, or the nodes of a broker cluster, tried in turn (docs/operations.md, "Broker clusters and failover"). */
  url: string | readonly string[];
  username?: string;
  password?: string;
  clientId: string;
  topics: Topics;
  version: string;
  mode: () => Mode;
  log: Logger;
  /** 4 = MQTT 3.1.1 (aedes), 5 = MQTT 5 (response topics, retain-as-published). */
  protocolVersion?: 4 | 5;
  /** PEM files for mqtts:// (CA to trust; client certificate and key). */
  tls?: { caFile?: string | undefined; certFile?: string | undefined; keyFile?: string | undefined };
  /** An in-process stream to the embedded broker instead of dialling `url` (a new one per (re)connect). */
  stream?: () => Duplex;
  /**
   * false: a persistent session ([MQTT-3.1.2-4]) under the fixed client id, so what the broker
   * queued for it (QoS 1 commands) survives a reconnect, to the same node or another one of a
   * cluster that replicates sessions. Default true.
   */
  clean?: boolean;
  /** Source of the jitter and of the first node tried; Math.random unless a test fixes it. */
  random?: () => number;
}

/**
 * The gateway's own MQTT session. On every (re)connect it publishes the
 * retained status; the broker publishes the last will (`online: false`) if the
 * gateway vanishes without saying goodbye.
 */
export interface Connection {
  client: MqttClient;
  /** Publishes the retained online status again (it carries the mode, so after every mode change). */
  publishStatus(): void;
  /** URL of the node the session is on; undefined while disconnected or on the in-process stream. */
  node(): string | undefined;
  /** Publishes the retained offline status (a clean goodbye suppresses the will), then disconnects. */
  stop(): Promise<void>;
}

export function openConnection(options: ConnectionOptions): Connection {
  const log = options.log.child({ module: 'mqtt' });
  const status = statusPayloads(options);
  const random = options.random ?? Math.random;
  const dialler = nodeDialler(brokerNodes(options.url), options.stream ? {} : tlsOptions(options.tls), random);
  const retry = new ReconnectSchedule(random);
  const client = new MqttClient(options.stream ?? (() => dialler.dial(log, retry.attempt, retry.delayMs)), clientOptions(options, status(false)));
  let connected = false;
  const publishStatus = () => {
    if (client.connected && !retry.closed) client.publish(options.topics.status, status(true), { qos: 1, retain: true });
  };
  client.on('connect', () => {
    // mqtt.js leaves Nagle's algorithm on: a small PUBLISH (a command reply) could wait for the previous packet's ACK.
    (client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
    connected = true;
    retry.connected();
    log.info({ url: dialler.current() ?? 'in-process' }, 'connected to MQTT broker');
    publishStatus();
  });
  client.on('close', () => {
    if (connected && !retry.closed) log.warn({ url: dialler.current() }, 'MQTT connection lost; messages wait in the outbox');
    connected = false;
    retry.schedule(client);
  });
  client.on('error', (error) => log.warn({ url: dialler.current(), err: error.message, code: Code.GW_MQTT }, 'MQTT error'));
  return {
    client,
    publishStatus,
    node: () => (client.connected ? dialler.current() : undefined),
    async stop() {
      retry.close();
      // Bounded: a session caught mid-reconnect may never acknowledge, and a stop must not hang on it (the
      // broker's last will says offline then).
      if (client.connected) {
        await within(STOP_WAIT_MS, new Promise<void>((resolve) => client.publish(options.topics.status, status(false), { qos: 1, retain: true }, () => resolve())));
      }
      if (!(await within(STOP_WAIT_MS, client.endAsync()))) client.end(true);
    },
  };
}

/** The retained `…/status` payload, online or not (the offline one is also the last will). */
function statusPayloads(options: ConnectionOptions): (online: boolean) => string {
  const since = new Date().toISOString();
  return (online) => {
    const payload: StatusMessage = { id: randomUUID(), ts: new Date().toISOString(), v: PAYLOAD_VERSION, online, mode: options.mode(), version: options.version, since };
    return JSON.stringify(payload);
  };
}

function clientOptions(options: ConnectionOptions, offlineStatus: string): IClientOptions {
  return {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    protocolVersion: options.protocolVersion ?? 4,
    clean: options.clean ?? true,
    // Reconnects are ours (ReconnectSchedule): mqtt.js retries on a fixed period and cannot back off.
    reconnectPeriod: 0,
    connectTimeout: 5000,
    // A node that vanished without closing the socket (power, partition) is noticed within 1.5 keepalives.
    keepalive: 15,
    will: { topic: options.topics.status, payload: Buffer.from(offlineStatus), qos: 1, retain: true },
    // Off: mqtt-packet's number cache is 65,536 two-byte Buffers (about 7 MB of heap, the largest item at idle), for the embedded broker too.
    writeCache: false,
  };
}

/** How long a stop waits for the offline status to be acknowledged, and for the session to end. */
const STOP_WAIT_MS = 2000;

