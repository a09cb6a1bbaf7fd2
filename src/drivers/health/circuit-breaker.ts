export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failuresToOpen: number;
  /** How long an open breaker refuses requests before one probe is let through. */
  cooldownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A per-device circuit breaker. A dead unit on a shared RS-485 bus would
 * otherwise cost one full timeout per poll and steal bus time from the live
 * ones; once open, it costs one probe per cooldown. Time is passed in, so the
 * breaker is tested with plain numbers.
 */
export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt = 0;
  private current: BreakerState = 'closed';

  constructor(private readonly options: BreakerOptions) {}

  get state(): BreakerState {
    return this.current;
  }

  get failures(): number {
    return this.consecutiveFailures;
  }

  /** Whether a request may go out now; an open breaker past its cooldown lets one probe through. */
  allow(now: number): boolean {
    if (this.current === 'closed') return true;
    if (this.current === 'open' && now - this.openedAt >= this.options.cooldownMs) {
      this.current = 'half-open';
      return true;
    }
    return false;
  }

  recordSuccess(): void {
    this.consecutiveFailures = 0;
    this.current = 'closed';
  }

  recordFailure(now: number): void {
    this.consecutiveFailures += 1;
    if (this.current === 'half-open' || this.consecutiveFailures >= this.options.failuresToOpen) {
      this.current = 'open';
      this.openedAt = now;
    }
  }
}
