import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect as connectTcp, isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as connectTls } from 'node:tls';
import { MqttClient, type IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import type { Mode } from '../core/mode.js';
import { PAYLOAD_VERSION, type StatusMessage } from './payloads.js';
import { reconnectDelayMs } from './reconnect-backoff.js';
import type { Topics } from './topics.js';

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

/** A config's `url`: one broker, or the list of a cluster's nodes. */
export function brokerNodes(url: string | readonly string[]): readonly string[] {
  return typeof url === 'string' ? [url] : url;
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
  const since = new Date().toISOString();
  const status = (online: boolean): string => {
    const payload: StatusMessage = { id: randomUUID(), ts: new Date().toISOString(), v: PAYLOAD_VERSION, online, mode: options.mode(), version: options.version, since };
    return JSON.stringify(payload);
  };
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    username: options.username,
    password: options.password,
    protocolVersion: options.protocolVersion ?? 4,
    clean: options.clean ?? true,
    // Reconnects are ours (below): mqtt.js retries on a fixed period and cannot back off.
    reconnectPeriod: 0,
    connectTimeout: 5000,
    // A node that vanished without closing the socket (power, partition) is noticed within 1.5 keepalives.
    keepalive: 15,
    will: { topic: options.topics.status, payload: Buffer.from(status(false)), qos: 1, retain: true },
    // Off: mqtt-packet's number cache is 65,536 two-byte Buffers (about 7 MB of heap, the largest item at idle), for the embedded broker too.
    writeCache: false,
  };
  const random = options.random ?? Math.random;
  const dialler = nodeDialler(brokerNodes(options.url), options.stream ? {} : tlsOptions(options.tls), random);
  let attempt = 0;
  let delayMs = 0;
  const client = new MqttClient(options.stream ?? (() => dialler.dial(log, attempt, delayMs)), clientOptions);
  let connected = false;
  let closing = false;
  let retryTimer: NodeJS.Timeout | undefined;
  const publishStatus = () => {
    if (client.connected && !closing) client.publish(options.topics.status, status(true), { qos: 1, retain: true });
  };
  // Every lost or failed connection schedules one attempt, to the next node, after a growing jittered delay.
  const scheduleReconnect = () => {
    if (closing || retryTimer) return;
    delayMs = reconnectDelayMs(attempt, random());
    attempt += 1;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      // The stores carry unacknowledged QoS 1 packets over to the next connection, as mqtt.js's own reconnect does.
      if (!closing) client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    }, delayMs);
  };
  client.on('connect', () => {
    // mqtt.js leaves Nagle's algorithm on: a small PUBLISH (a command reply) could wait for the previous packet's ACK.
    (client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
    connected = true;
    attempt = 0;
    log.info({ url: dialler.current() ?? 'in-process' }, 'connected to MQTT broker');
    publishStatus();
  });
  client.on('close', () => {
    if (connected && !closing) log.warn({ url: dialler.current() }, 'MQTT connection lost; messages wait in the outbox');
    connected = false;
    scheduleReconnect();
  });
  client.on('error', (error) => log.warn({ url: dialler.current(), err: error.message, code: 'GW_MQTT' }, 'MQTT error'));
  return {
    client,
    publishStatus,
    node: () => (client.connected ? dialler.current() : undefined),
    async stop() {
      closing = true;
      clearTimeout(retryTimer);
      // Bounded: a session caught mid-reconnect may never acknowledge, and a stop must not hang on it (the
      // broker's last will says offline then).
      if (client.connected) {
        await within(STOP_WAIT_MS, new Promise<void>((resolve) => client.publish(options.topics.status, status(false), { qos: 1, retain: true }, () => resolve())));
      }
      if (!(await within(STOP_WAIT_MS, client.endAsync()))) client.end(true);
    },
  };
}

interface NodeDialler {
  /** Opens a socket to the next node in turn, and logs the attempt (the how-manieth since the last connect, after how long a wait). */
  dial(log: Logger, attempt: number, afterMs: number): Duplex;
  /** URL of the node last dialled; undefined before the first dial (and always on the in-process stream). */
  current(): string | undefined;
}

/**
 * Rotates through the nodes, one per attempt, so a dead node costs one attempt
 * and the next goes to another. The first node is picked at random: a district's
 * gateways, all listing the same nodes, spread over the cluster.
 *
 * Dialled here rather than with mqtt.js's `servers` option: that one keeps the TLS
 * servername of the first host for every node (mqtt/build/lib/connect/tls.js sets it
 * once), so a certificate naming the second node would be refused.
 */
function nodeDialler(urls: readonly string[], tls: TlsFiles, random: () => number): NodeDialler {
  if (urls.length === 0) throw new Error('no broker URL');
  const nodes = urls.map((url) => {
    const parsed = new URL(url);
    const secure = parsed.protocol === 'mqtts:';
    // URL keeps the brackets of an IPv6 literal; the socket wants the bare address.
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
    return { url, secure, host, port: Number(parsed.port) || (secure ? 8883 : 1883) };
  });
  let next = Math.floor(random() * nodes.length) % nodes.length;
  let current: string | undefined;
  return {
    current: () => current,
    dial(log, attempt, afterMs) {
      const node = nodes[next] as (typeof nodes)[number];
      next = (next + 1) % nodes.length;
      current = node.url;
      log.info({ url: node.url, attempt, afterMs }, 'connecting to MQTT broker');
      // The certificate is checked against the host of the node dialled (tls.checkServerIdentity).
      return node.secure
        ? connectTls({ host: node.host, port: node.port, ...(isIP(node.host) === 0 ? { servername: node.host } : {}), ...tls })
        : connectTcp({ host: node.host, port: node.port });
    },
  };
}

type TlsFiles = { ca?: Buffer; cert?: Buffer; key?: Buffer };

function tlsOptions(tls: ConnectionOptions['tls']): TlsFiles {
  if (!tls) return {};
  return {
    ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
    ...(tls.certFile ? { cert: readFileSync(tls.certFile) } : {}),
    ...(tls.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
  };
}

/** How long a stop waits for the offline status to be acknowledged, and for the session to end. */
const STOP_WAIT_MS = 2000;

/** Whether `promise` settled within `ms`. */
function within(ms: number, promise: Promise<unknown>): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}
