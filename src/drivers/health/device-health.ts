import type { Clock } from '../../core/clock.js';
import type { GatewardenError } from '../../errors.js';
import type { Availability, DeviceStatus, Listener } from '../device.js';
import { Listeners } from '../listeners.js';
import { CircuitBreaker, type BreakerOptions } from './circuit-breaker.js';

/**
 * Availability of one device, derived from what its driver observes:
 * - `online`: the last exchange succeeded (or, for push devices, the port is open);
 * - `degraded`: recent failures, but fewer than open the circuit breaker;
 * - `offline`: the port is gone or the breaker is open.
 * Listeners hear every change of availability and every new error code.
 */
export class DeviceHealth {
  private current: DeviceStatus;
  private readonly listeners: Listeners<DeviceStatus>;
  readonly breaker: CircuitBreaker;

  constructor(
    private readonly clock: Clock,
    breaker: BreakerOptions,
    onListenerError: (error: unknown) => void,
  ) {
    this.breaker = new CircuitBreaker(breaker);
    this.listeners = new Listeners<DeviceStatus>(onListenerError);
    this.current = { availability: 'offline', since: clock.now() };
  }

  status(): DeviceStatus {
    return this.current;
  }

  onStatus(listener: Listener<DeviceStatus>): void {
    this.listeners.add(listener);
  }

  /** Whether the breaker lets a request go out now. */
  allowRequest(): boolean {
    return this.breaker.allow(this.clock.now());
  }

  succeeded(): void {
    this.breaker.recordSuccess();
    this.set('online');
  }

  failed(error: GatewardenError): void {
    this.breaker.recordFailure(this.clock.now());
    this.set(this.breaker.state === 'closed' ? 'degraded' : 'offline', error);
  }

  /** The port or connection went away: offline whatever the breaker says. */
  linkDown(error: GatewardenError): void {
    this.set('offline', error);
  }

  private set(availability: Availability, error?: GatewardenError): void {
    const at = this.clock.now();
    const lastError = error ? { code: error.code, message: error.message, at } : this.current.lastError;
    const sameError = error === undefined || error.code === this.current.lastError?.code;
    if (availability === this.current.availability && sameError) return;
    const since = availability === this.current.availability ? this.current.since : at;
    this.current = lastError ? { availability, since, lastError } : { availability, since };
    this.listeners.emit(this.current);
  }
}
