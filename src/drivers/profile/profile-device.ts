import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { DeviceStatus, Listener } from '../device.js';
import { DeviceHealth } from '../health/device-health.js';
import { Listeners } from '../listeners.js';
import type { DeviceContext } from './device-context.js';

/** Lifecycle and health shared by every profile-driven device. */
export abstract class ProfileDevice {
  readonly id: string;
  protected readonly health: DeviceHealth;
  protected readonly log: Logger;
  protected readonly clock: Clock;
  protected running = false;

  constructor(protected readonly context: DeviceContext) {
    this.id = context.id;
    this.log = context.log;
    this.clock = context.clock;
    this.health = new DeviceHealth(
      context.clock,
      { failuresToOpen: context.timing.failuresToOffline, cooldownMs: context.timing.breakerCooldownMs },
      (error) => this.log.error({ err: error }, 'status listener failed'),
    );
  }

  status(): DeviceStatus {
    return this.health.status();
  }

  onStatus(listener: Listener<DeviceStatus>): void {
    this.health.onStatus(listener);
  }

  /** Whether the breaker lets a request out now; polls skip their turn when it does not. */
  protected mayRequest(): boolean {
    return this.running && this.health.allowRequest();
  }

  /** An event channel whose listener errors are logged, never thrown into the driver. */
  protected channel<T>(name: string): Listeners<T> {
    return new Listeners<T>((error) => this.log.error({ err: error, channel: name }, 'listener failed'));
  }
}
