import type { Logger } from 'pino';
import type { PassageRecord } from './core/lane-types.js';

/** What the gateway's parts tell each other, and what each event carries. */
export interface GatewayEvents {
  /** A passage is recorded; its barrier has not moved yet. `sinceScanMs`: scan-to-decision latency, when a scan started it. */
  'passage-recorded': { passage: PassageRecord; sinceScanMs: number | null };
  /** A database write failed; the alert cannot go through the outbox. */
  'storage-fault': { error: Error; where: { gate?: string; lane?: string } };
  /** A scope's mode changed (a command, an expiry). */
  'mode-changed': undefined;
  /** A committed write queued outgoing messages (a passage, an alert, an audit row, a report); `alerts`: it wrote alert rows. */
  'journal-enqueued': { alerts: boolean };
}

export type EventListener<P> = (payload: P) => void | Promise<void>;

/** `emit('x')` for an event that carries nothing, `emit('x', payload)` otherwise. */
type PayloadArgs<P> = undefined extends P ? [payload?: P] : [payload: P];

/**
 * A small typed event bus: parts announce what happened, and whoever cares
 * listens, instead of the composition root assigning callbacks to each part
 * after the fact. Listeners run synchronously in the order they subscribed.
 * Each one is isolated: an exception (or a rejected promise) is logged and
 * counted, and neither the emitter nor the next listener ever sees it; a lane
 * that announces a recorded grant still releases its barrier.
 */
export class EventBus<Events extends object = GatewayEvents> {
  private readonly listeners = new Map<keyof Events, Array<EventListener<never>>>();
  private readonly log: Logger;
  private failed = 0;

  constructor(log: Logger) {
    this.log = log.child({ module: 'events' });
  }

  /** Listener failures since the start (exceptions and rejected promises). */
  get failures(): number {
    return this.failed;
  }

  /** Subscribes `listener`; returns what unsubscribes it. */
  on<K extends keyof Events>(event: K, listener: EventListener<Events[K]>): () => void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as EventListener<never>]);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: EventListener<Events[K]>): void {
    // A copy, not a splice: an emit in progress keeps the list it started with.
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((l) => l !== listener),
    );
  }

  emit<K extends keyof Events>(event: K, ...[payload]: PayloadArgs<Events[K]>): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        const result = (listener as EventListener<Events[K]>)(payload as Events[K]);
        if (result instanceof Promise) result.catch((error: unknown) => this.fail(event, error));
      } catch (error) {
        this.fail(event, error);
      }
    }
  }

  private fail(event: keyof Events, error: unknown): void {
    this.failed += 1;
    this.log.error({ event: String(event), err: error instanceof Error ? error.message : String(error), code: 'GW_LISTENER' }, 'event listener failed; the others went on');
  }
}
