import mqtt, { type MqttClient } from 'mqtt';

/** One message id as the subscriber saw it. */
export interface Receipt {
  topic: string;
  copies: number;
  firstAt: number;
}

/**
 * The district platform's view: a persistent session (clean=false, fixed
 * client id) subscribed with QoS 1 to every passage and alert, recording each
 * message by its `id`. A copy of an id already seen counts as a duplicate.
 */
export class Subscriber {
  readonly receipts = new Map<string, Receipt>();
  unparsable = 0;

  private constructor(private readonly client: MqttClient) {
    client.on('message', (topic, payload) => this.record(topic, payload));
  }

  static async connect(url: string, username: string, password: string, prefix: string): Promise<Subscriber> {
    const client = mqtt.connect(url, { clientId: 'chaos-subscriber', clean: false, username, password, reconnectPeriod: 250, connectTimeout: 5000 });
    const subscriber = new Subscriber(client);
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    // Errors while the broker is down are retried by the client; without a listener an 'error' event would throw.
    client.on('error', () => {});
    await client.subscribeAsync([`${prefix}/passages/#`, `${prefix}/alerts/#`], { qos: 1 });
    return subscriber;
  }

  get delivered(): number {
    return this.receipts.size;
  }

  get duplicated(): number {
    let extra = 0;
    for (const receipt of this.receipts.values()) extra += receipt.copies - 1;
    return extra;
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }

  private record(topic: string, payload: Buffer): void {
    let id: unknown;
    try {
      id = (JSON.parse(payload.toString()) as { id?: unknown }).id;
    } catch {
      id = undefined;
    }
    if (typeof id !== 'string') {
      this.unparsable += 1;
      return;
    }
    const seen = this.receipts.get(id);
    if (seen) seen.copies += 1;
    else this.receipts.set(id, { topic, copies: 1, firstAt: Date.now() });
  }
}
