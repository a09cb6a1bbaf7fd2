/**
 * Login throttling for the embedded broker, per source address and per user
 * name, with exponential back-off (IEC 62443-4-2 CR 1.11, unsuccessful login
 * attempts; ETSI EN 303 645 provision 5.1-5). Time arrives as a value, so the
 * rules are tested with plain numbers.
 *
 * - A key (address or user name) may fail `freeFailures` times; each failure
 *   after that blocks it for `baseBackoffMs`, doubled per further failure up to
 *   `maxBackoffMs`. An attempt on a blocked key is refused before any hashing.
 * - A blocked user name is refused only from the hosts that have themselves
 *   failed a login for it within `forgetAfterMs`: an attacker rotating through
 *   many addresses would otherwise lock the manager out of every host. A host
 *   with no failure for that name (the manager's console) is not held back by
 *   it; each new host gets one guess per name before it is (issue 12, second
 *   outside test). A success from a host clears that host's failures for the name.
 *   Refusals while blocked do not extend the block, so a locked-out user gets
 *   back in once the attacker's window runs out.
 * - An address may have at most `maxInFlightPerAddress` password checks running:
 *   a burst from one host costs that many scrypt runs at a time, never the
 *   whole thread pool, so other hosts (the manager) are answered as fast as idle.
 * - Counts are forgotten after `forgetAfterMs` without a failure, and at most
 *   `maxKeys` keys are kept (the oldest go first), so a spray of addresses or
 *   names cannot grow memory.
 */
export interface LoginThrottleOptions {
  freeFailuresPerAddress: number;
  freeFailuresPerUser: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  maxInFlightPerAddress: number;
  forgetAfterMs: number;
  maxKeys: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  freeFailuresPerAddress: 10,
  freeFailuresPerUser: 5,
  baseBackoffMs: 1000,
  maxBackoffMs: 60_000,
  maxInFlightPerAddress: 2,
  forgetAfterMs: 15 * 60_000,
  maxKeys: 10_000,
};

interface KeyState {
  failures: number;
  blockedUntil: number;
  lastFailure: number;
}

export type ThrottleVerdict = { ok: true } | { ok: false; reason: 'address-blocked' | 'user-blocked' | 'address-busy'; retryInMs: number };

const pairKey = (address: string, username: string | undefined) => `p:${address}\n${username ?? ''}`;

export class LoginThrottle {
  private readonly keys = new Map<string, KeyState>();
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE) {}

  /**
   * Whether an attempt may go on to the password check; when it may, the
   * address's in-flight count is taken and `finish` must be called once.
   * `username` undefined (no user name sent) is keyed as the empty name.
   */
  begin(address: string, username: string | undefined, now: number): ThrottleVerdict {
    const byAddress = this.blockedFor(`a:${address}`, now);
    if (byAddress > 0) return { ok: false, reason: 'address-blocked', retryInMs: byAddress };
    const byUser = this.blockedFor(`u:${username ?? ''}`, now);
    if (byUser > 0 && this.failedRecently(pairKey(address, username), now)) return { ok: false, reason: 'user-blocked', retryInMs: byUser };
    const running = this.inFlight.get(address) ?? 0;
    if (running >= this.options.maxInFlightPerAddress) return { ok: false, reason: 'address-busy', retryInMs: 0 };
    this.inFlight.set(address, running + 1);
    return { ok: true };
  }

  /** Ends an attempt that `begin` let through; `ok` false counts a failure against the address and, unless exempt, the user name. */
  finish(address: string, username: string | undefined, ok: boolean, now: number, options: { userExempt?: boolean } = {}): void {
    const running = (this.inFlight.get(address) ?? 1) - 1;
    if (running > 0) this.inFlight.set(address, running);
    else this.inFlight.delete(address);
    if (ok) {
      this.keys.delete(pairKey(address, username));
      return;
    }
    this.fail(`a:${address}`, this.options.freeFailuresPerAddress, now);
    if (options.userExempt) return;
    this.fail(`u:${username ?? ''}`, this.options.freeFailuresPerUser, now);
    // Never blocked on its own (free failures: infinite): it marks the host as one that failed for this name.
    this.fail(pairKey(address, username), Number.POSITIVE_INFINITY, now);
  }

  private blockedFor(key: string, now: number): number {
    if (!this.failedRecently(key, now)) return 0;
    return Math.max(0, (this.keys.get(key) as KeyState).blockedUntil - now);
  }

  /** Whether `key` failed within `forgetAfterMs`; forgets it when not. */
  private failedRecently(key: string, now: number): boolean {
    const state = this.keys.get(key);
    if (!state) return false;
    if (now - state.lastFailure <= this.options.forgetAfterMs) return true;
    this.keys.delete(key);
    return false;
  }

  private fail(key: string, freeFailures: number, now: number): void {
    const state = this.keys.get(key) ?? { failures: 0, blockedUntil: 0, lastFailure: now };
    if (now - state.lastFailure > this.options.forgetAfterMs) state.failures = 0;
    state.failures += 1;
    state.lastFailure = now;
    const over = state.failures - freeFailures;
    if (over > 0) state.blockedUntil = now + Math.min(this.options.maxBackoffMs, this.options.baseBackoffMs * 2 ** Math.min(over - 1, 30));
    // Re-inserted at the end: the Map's order is then oldest failure first.
    this.keys.delete(key);
    this.keys.set(key, state);
    while (this.keys.size > this.options.maxKeys) {
      const oldest = this.keys.keys().next().value as string;
      this.keys.delete(oldest);
    }
  }
}
