import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Outbox, OutboxRow } from '../store/outbox.js';
import { Code } from '../errors.js';

export interface PublisherOptions {
  outbox: Outbox;
  client: MqttClient;
  log: Logger;
  /** Messages published and not yet acknowledged, at most. */
  window: number;
  /** Acknowledged rows are deleted in batches, at most this long after their PUBACK. */
  ackFlushMs: number;
}

/** Back-off for a publish the broker refused without dropping the connection. */
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 30_000;

/**
 * Drains the outbox to the broker with QoS 1, oldest first, with a bounded
 * in-flight window. A row is deleted only after its PUBACK; after a lost
 * connection everything unacknowledged is sent again (at least once: consumers
 * de-duplicate by `id`). A publish the broker refuses on a live connection
 * (an MQTT 5 PUBACK reason code of 0x80 or more, [MQTT-5: 3.4.2.1]) is sent
 * again with back-off, from the oldest refused row on.
 */
export class OutboxPublisher {
  private readonly inFlight = new Set<number>();
  private readonly acked: number[] = [];
  private highestSent = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs = RETRY_MIN_MS;
  /** Where the next retry starts: just before the oldest refused row. */
  private rewindTo: number | undefined;
  private draining = false;
  /** The last read filled the window: rows may be waiting, so each PUBACK reads again. */
  private backlog = false;
  private stopped = false;
  published = 0;

  constructor(private readonly options: PublisherOptions) {
    const { client } = options;
    client.on('connect', () => {
      this.retryDelayMs = RETRY_MIN_MS;
      this.kick();
    });
    client.on('close', () => {
      // Unacknowledged rows are still in the table: resend them from the start after reconnecting.
      this.flushAcks();
      this.inFlight.clear();
      this.highestSent = 0;
      this.rewindTo = undefined;
    });
    // A safety net for wake-ups lost to races; normal traffic is pushed by kick().
    this.pollTimer = setInterval(() => this.kick(), 1000);
    this.pollTimer.unref();
  }

  /**
   * Drains on the next tick, or after `gatherMs`: a caller that enqueues often (every committed passage) lets the
   * rows of several commits be read in one query. A read per commit cost the event loop 0.13 ms per passage at
   * 200/s (issue 14); the wait is far below what an alert's relay is allowed.
   */
  kick(gatherMs = 0): void {
    if (this.draining || this.stopped) return;
    this.draining = true;
    const drain = () => {
      this.draining = false;
      this.fill();
    };
    if (gatherMs > 0) setTimeout(drain, gatherMs);
    else setImmediate(drain);
  }

  private fill(): void {
    const { client, outbox, window } = this.options;
    if (!client.connected || this.stopped) return;
    const room = window - this.inFlight.size;
    if (room <= 0) {
      this.backlog = true;
      return;
    }
    let rows: OutboxRow[];
    try {
      rows = outbox.peek(this.highestSent, room);
    } catch (error) {
      // A database fault must not take the process down: the poll timer tries again.
      this.options.log.error({ err: (error as Error).message, code: Code.GW_STORAGE }, 'cannot read the outbox');
      return;
    }
    this.backlog = rows.length === room;
    for (const row of rows) {
      this.highestSent = Math.max(this.highestSent, row.seq);
      // After a rewind, rows still awaiting their PUBACK are not sent twice.
      if (this.inFlight.has(row.seq)) continue;
      this.inFlight.add(row.seq);
      client.publish(row.topic, row.payload, { qos: row.qos, retain: row.retain }, (error) => {
        if (!this.inFlight.delete(row.seq)) return;
        if (error) {
          this.retryLater(row.seq, error);
          return;
        }
        this.published += 1;
        this.acked.push(row.seq);
        this.scheduleFlush();
        // Otherwise every row is out, and the next enqueue kicks: a read per PUBACK cost as much as the publish (issue 14).
        if (this.backlog) this.kick();
      });
    }
  }

  /** A refused row stays in the outbox; it and the rows after it are sent again after a growing delay. */
  private retryLater(seq: number, error: Error): void {
    if (!this.options.client.connected) return; // the reconnect resends everything
    this.rewindTo = Math.min(this.rewindTo ?? seq - 1, seq - 1);
    if (this.retryTimer || this.stopped) return;
    this.options.log.warn({ seq, err: error.message, retryInMs: this.retryDelayMs, code: Code.GW_MQTT }, 'broker refused a publish; retrying with back-off');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.rewindTo !== undefined) this.highestSent = Math.min(this.highestSent, this.rewindTo);
      this.rewindTo = undefined;
      this.kick();
    }, this.retryDelayMs);
    this.retryTimer.unref();
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, RETRY_MAX_MS);
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => this.flushAcks(), this.options.ackFlushMs);
  }

  private flushAcks(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const seqs = this.acked.splice(0);
    this.options.outbox.acknowledge(seqs).catch((error: Error) => {
      // The rows stay and are sent again: a duplicate, never a loss.
      this.options.log.error({ err: error.message, code: Code.GW_STORAGE }, 'cannot delete acknowledged outbox rows');
    });
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
    clearTimeout(this.retryTimer);
    this.flushAcks();
  }
}
