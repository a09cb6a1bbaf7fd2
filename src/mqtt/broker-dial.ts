import { readFileSync } from 'node:fs';
import { connect as connectTcp, isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as connectTls } from 'node:tls';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { reconnectDelayMs } from './reconnect-backoff.js';

/**
 * Reaching a broker that may be a cluster: the nodes dialled in turn, the
 * reconnects backed off and jittered, TLS files read once. The gateway's
 * session (connection.ts) and the district's receiver (src/district/mqtt-session.ts)
 * both dial this way.
 */

/** A config's `url`: one broker, or the list of a cluster's nodes. */
export function brokerNodes(url: string | readonly string[]): readonly string[] {
  return typeof url === 'string' ? [url] : url;
}

/** Every lost or failed connection schedules one attempt, to the next node, after a growing jittered delay. */
export class ReconnectSchedule {
  /** Attempts since the last connect, and the wait before the latest one (logged with each dial). */
  attempt = 0;
  delayMs = 0;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(private readonly random: () => number) {}

  get closed(): boolean {
    return this.closing;
  }

  schedule(client: MqttClient): void {
    if (this.closing || this.timer) return;
    this.delayMs = reconnectDelayMs(this.attempt, this.random());
    this.attempt += 1;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // The stores carry unacknowledged QoS 1 packets over to the next connection, as mqtt.js's own reconnect does.
      if (!this.closing) client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    }, this.delayMs);
  }

  connected(): void {
    this.attempt = 0;
  }

  close(): void {
    this.closing = true;
    clearTimeout(this.timer);
  }
}

export interface NodeDialler {
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
export function nodeDialler(urls: readonly string[], tls: TlsFiles, random: () => number): NodeDialler {
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

export type TlsFiles = { ca?: Buffer; cert?: Buffer; key?: Buffer };

export function tlsOptions(tls: { caFile?: string | undefined; certFile?: string | undefined; keyFile?: string | undefined } | undefined): TlsFiles {
  if (!tls) return {};
  return {
    ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
    ...(tls.certFile ? { cert: readFileSync(tls.certFile) } : {}),
    ...(tls.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
  };
}

/** Whether `promise` settled within `ms`. */
export function within(ms: number, promise: Promise<unknown>): Promise<boolean> {
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
