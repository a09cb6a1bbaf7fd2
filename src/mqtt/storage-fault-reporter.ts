import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { alertMessage, type OutgoingMessage } from '../contract/messages.js';
import type { Topics } from '../contract/topics.js';

/** Publishes one message directly (QoS 1); resolves false if it could not be sent now. */
export type DirectPublish = (message: OutgoingMessage) => Promise<boolean>;

/**
 * When the database itself fails, an alert cannot go through the outbox. The
 * `storage-fault` alerts are kept in memory instead (bounded: the oldest are
 * dropped first and counted) and published directly whenever the broker is
 * reachable. One alert per `minIntervalMs` at most: a dead disk fails on every scan.
 */
export class StorageFaultReporter {
  private readonly queue: OutgoingMessage[] = [];
  private lastQueuedAt = Number.NEGATIVE_INFINITY;
  private flushing = false;
  dropped = 0;

  constructor(
    private readonly publish: DirectPublish,
    private readonly topics: Topics,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly limits = { maxQueued: 50, minIntervalMs: 10_000 },
  ) {}

  report(error: Error, where: { gate?: string; lane?: string }): void {
    const now = this.clock.now();
    if (now - this.lastQueuedAt < this.limits.minIntervalMs) return;
    this.lastQueuedAt = now;
    this.queue.push(alertMessage(this.topics, randomUUID(), { type: 'storage-fault', severity: 'critical', at: now, ...where, reasons: [], details: { error: error.message } }, null));
    if (this.queue.length > this.limits.maxQueued) {
      this.queue.shift();
      this.dropped += 1;
    }
    void this.flush();
  }

  get pending(): number {
    return this.queue.length;
  }

  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        if (!(await this.publish(this.queue[0] as OutgoingMessage))) return;
        this.queue.shift();
      }
    } finally {
      this.flushing = false;
    }
  }
}
