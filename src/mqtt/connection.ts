import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Duplex } from 'node:stream';
import mqtt, { MqttClient, type IClientOptions } from 'mqtt';
import type { Logger } from 'pino';
import type { Mode } from '../core/mode.js';
import { PAYLOAD_VERSION, type StatusMessage } from './payloads.js';
import type { Topics } from './topics.js';

export interface ConnectionOptions {
  url: string;
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
    clean: true,
    ...tlsOptions(options.tls),
    reconnectPeriod: 1000,
    connectTimeout: 5000,
    will: { topic: options.topics.status, payload: Buffer.from(status(false)), qos: 1, retain: true },
  };
  const client = options.stream ? new MqttClient(options.stream, clientOptions) : mqtt.connect(options.url, clientOptions);
  let connected = false;
  let closing = false;
  const publishStatus = () => {
    if (client.connected && !closing) client.publish(options.topics.status, status(true), { qos: 1, retain: true });
  };
  client.on('connect', () => {
    // mqtt.js leaves Nagle's algorithm on: a small PUBLISH (a command reply) could wait for the previous packet's ACK.
    (client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
    connected = true;
    log.info({ url: options.url }, 'connected to MQTT broker');
    publishStatus();
  });
  client.on('close', () => {
    if (connected && !closing) log.warn('MQTT connection lost; messages wait in the outbox');
    connected = false;
  });
  client.on('error', (error) => log.warn({ err: error.message, code: 'GW_MQTT' }, 'MQTT error'));
  return {
    client,
    publishStatus,
    async stop() {
      closing = true;
      if (client.connected) {
        await new Promise<void>((resolve) => client.publish(options.topics.status, status(false), { qos: 1, retain: true }, () => resolve()));
      }
      await client.endAsync();
    },
  };
}

function tlsOptions(tls: ConnectionOptions['tls']): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  if (!tls) return {};
  return {
    ...(tls.caFile ? { ca: readFileSync(tls.caFile) } : {}),
    ...(tls.certFile ? { cert: readFileSync(tls.certFile) } : {}),
    ...(tls.keyFile ? { key: readFileSync(tls.keyFile) } : {}),
  };
}
