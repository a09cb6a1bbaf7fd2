import mqtt, { type IClientPublishOptions, type MqttClient } from 'mqtt';
import type { Db } from '../../../src/store/database.js';
import { waitFor } from '../../../support/gateway/gateway-harness.js';

/** One message as a subscriber saw it. */
export interface Received {
  topic: string;
  payload: Buffer;
  retain: boolean;
  qos: number;
  correlationData?: Buffer;
}

export interface CommandReplyMessage {
  id: string;
  ok: boolean;
  error?: { code: string; message: string; details?: string[] };
  data?: unknown;
}

/**
 * A broker client for the MQTT tests: records everything it receives and
 * sends commands the way a manager's console would.
 */
export class TestClient {
  readonly received: Received[] = [];

  private constructor(
    readonly client: MqttClient,
    private readonly prefix: string,
  ) {
    client.on('message', (topic, payload, packet) => {
      const correlationData = packet.properties?.correlationData;
      this.received.push({ topic, payload, retain: packet.retain, qos: packet.qos, ...(correlationData ? { correlationData } : {}) });
    });
  }

  /** `session`: a persistent session (clean = false) under this client id, to receive what was queued while away. */
  static async connect(options: { url: string; prefix: string; username: string; password: string | undefined; protocolVersion?: 4 | 5; session?: string }): Promise<TestClient> {
    const client = mqtt.connect(options.url, {
      username: options.username,
      ...(options.password === undefined ? {} : { password: options.password }),
      protocolVersion: options.protocolVersion ?? 4,
      reconnectPeriod: 0,
      ...(options.session ? { clientId: options.session, clean: false } : {}),
    });
    // Recording starts before CONNACK: a persistent session's queued messages follow it at once.
    const recorder = new TestClient(client, options.prefix);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    client.on('error', () => {});
    // As the gateway does (src/mqtt/connection.ts): no Nagle delay on small packets.
    (client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
    return recorder;
  }

  /** Messages on `prefix/<suffix>`, decoded. */
  json(suffix: string): Array<Record<string, unknown>> {
    return this.received.filter((m) => m.topic === `${this.prefix}/${suffix}`).map((m) => JSON.parse(m.payload.toString()) as Record<string, unknown>);
  }

  /** Subscribes to `prefix/<filter>` (`#` for the whole tree). */
  async subscribe(filter: string): Promise<void> {
    await this.client.subscribeAsync(`${this.prefix}/${filter}`, { qos: 1 });
  }

  /** Publishes a command; the body is sent as given (a string goes out verbatim). */
  async command(name: string, body: object | string, options: IClientPublishOptions = {}): Promise<void> {
    await this.client.publishAsync(`${this.prefix}/cmd/${name}`, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1, ...options });
  }

  /** The reply to command `id` on `…/cmd/<name>/reply`. */
  reply(name: string, id: string): Promise<CommandReplyMessage> {
    return waitFor(() => this.json(`cmd/${name}/reply`).find((r) => r.id === id) as CommandReplyMessage | undefined, `reply to ${id}`);
  }

  /** Sends a command and waits for its reply. */
  async send(name: string, body: Record<string, unknown> & { id: string }, options: IClientPublishOptions = {}): Promise<CommandReplyMessage> {
    await this.command(name, body, options);
    return this.reply(name, body.id);
  }

  async end(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** The audit rows of a command id, oldest first. */
export function auditRows(db: Db, id: string): Array<{ ok: number; code: string | null }> {
  return db.prepare('SELECT ok, error_code AS code FROM audit WHERE command_id = ? ORDER BY rowid').all(id) as Array<{ ok: number; code: string | null }>;
}

/** A command body with a fresh id and the current time. */
export function commandBody(id: string, fields: Record<string, unknown>): Record<string, unknown> & { id: string } {
  return { id, ts: new Date().toISOString(), v: 1, ...fields };
}
