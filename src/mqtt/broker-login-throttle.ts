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
 * - Only failures count: any number of logins with the right password may come
 *   from one host at once (how many checks run at a time is broker-login-queue.ts's
 *   business, which sheds with CONNACK 3, never 5).
 * - Counts are forgotten after `forgetAfterMs` without a failure, and at most
 *   `maxKeys` keys are kept (the oldest go first), so a spray of addresses or
 *   names cannot grow memory.
 */
export interface LoginThrottleOptions {
  freeFailuresPerAddress: number;
  freeFailuresPerUser: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  forgetAfterMs: number;
  maxKeys: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  freeFailuresPerAddress: 10,
  freeFailuresPerUser: 5,
  baseBackoffMs: 1000,
  maxBackoffMs: 60_000,
  forgetAfterMs: 15 * 60_000,
  maxKeys: 10_000,
};

interface KeyState {
  failures: number;
  blockedUntil: number;
  lastFailure: number;
}

export type ThrottleVerdict = { ok: true } | { ok: false; reason: 'address-blocked' | 'user-blocked'; retryInMs: number };

const pairKey = (address: string, username: string | undefined) => `p:${address}\n${username ?? ''}`;

export class LoginThrottle {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE) {}

  /**
   * Whether an attempt may go on to the password check. `username` undefined
   * (no user name sent) is keyed as the empty name.
   */
  check(address: string, username: string | undefined, now: number): ThrottleVerdict {
    const byAddress = this.blockedFor(`a:${address}`, now);
    if (byAddress > 0) return { ok: false, reason: 'address-blocked', retryInMs: byAddress };
    const byUser = this.blockedFor(`u:${username ?? ''}`, now);
    if (byUser > 0 && this.failedRecently(pairKey(address, username), now)) return { ok: false, reason: 'user-blocked', retryInMs: byUser };
    return { ok: true };
  }

  /** The outcome of a checked attempt; `ok` false counts a failure against the address and, unless exempt, the user name. */
  record(address: string, username: string | undefined, ok: boolean, now: number, options: { userExempt?: boolean } = {}): void {
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
