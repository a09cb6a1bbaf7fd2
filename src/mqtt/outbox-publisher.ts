import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Outbox, OutboxRow } from '../store/outbox.js';

export interface PublisherOptions {
  outbox: Outbox;
  client: MqttClient;
  log: Logger;
  /** Messages published and not yet acknowledged, at most. */
  window: number;
  /** Acknowledged rows are deleted in batches, at most this long after their PUBACK. */
  ackFlushMs: number;
}

/**
 * Drains the outbox to the broker with QoS 1, oldest first, with a bounded
 * in-flight window. A row is deleted only after its PUBACK; after a lost
 * connection everything unacknowledged is sent again (at least once: consumers
 * de-duplicate by `id`).
 */
export class OutboxPublisher {
  private readonly inFlight = new Set<number>();
  private readonly acked: number[] = [];
  private highestSent = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private draining = false;
  private stopped = false;
  published = 0;

  constructor(private readonly options: PublisherOptions) {
    const { client } = options;
    client.on('connect', () => this.kick());
    client.on('close', () => {
      // Unacknowledged rows are still in the table: resend them from the start after reconnecting.
      this.flushAcks();
      this.inFlight.clear();
      this.highestSent = 0;
    });
    // A safety net for wake-ups lost to races; normal traffic is pushed by kick().
    this.pollTimer = setInterval(() => this.kick(), 1000);
    this.pollTimer.unref();
  }

  /** Call after enqueueing: drains on the next tick. */
  kick(): void {
    if (this.draining || this.stopped) return;
    this.draining = true;
    setImmediate(() => {
      this.draining = false;
      this.fill();
    });
  }

  private fill(): void {
    const { client, outbox, window } = this.options;
    if (!client.connected || this.stopped) return;
    const room = window - this.inFlight.size;
    if (room <= 0) return;
    let rows: OutboxRow[];
    try {
      rows = outbox.peek(this.highestSent, room);
    } catch (error) {
      // A database fault must not take the process down: the poll timer tries again.
      this.options.log.error({ err: (error as Error).message, code: 'GW_STORAGE' }, 'cannot read the outbox');
      return;
    }
    for (const row of rows) {
      this.inFlight.add(row.seq);
      this.highestSent = row.seq;
      client.publish(row.topic, row.payload, { qos: row.qos, retain: row.retain }, (error) => {
        if (!this.inFlight.delete(row.seq)) return;
        if (error) {
          this.options.log.debug({ seq: row.seq, err: error.message }, 'publish failed; will retry after reconnect');
          return;
        }
        this.published += 1;
        this.acked.push(row.seq);
        this.scheduleFlush();
        this.kick();
      });
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flushAcks(), this.options.ackFlushMs);
  }

  private flushAcks(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const seqs = this.acked.splice(0);
    try {
      this.options.outbox.acknowledge(seqs);
    } catch (error) {
      // The rows stay and are sent again: a duplicate, never a loss.
      this.options.log.error({ err: (error as Error).message, code: 'GW_STORAGE' }, 'cannot delete acknowledged outbox rows');
    }
  }

  /** Waits up to `timeoutMs` for the outbox to empty, then stops. */
  async stop(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && this.options.client.connected && (this.options.outbox.stats(Date.now()).depth > this.acked.length || this.inFlight.size > 0)) {
      this.kick();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearTimeout(this.flushTimer);
    this.flushAcks();
  }
}
