/**
 * Remembers recently granted health passes, so the same pass shown again
 * within the window (a screenshot shared with a friend) is flagged
 * `CODE_REPLAYED`. Only grants are remembered: someone re-scanning after a
 * refusal is not a replay. Bounded: the oldest entries go first.
 */
export class ReplayWindow {
  private readonly grantedAt = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  isReplayed(fingerprint: string, now: number): boolean {
    const at = this.grantedAt.get(fingerprint);
    return at !== undefined && now - at < this.windowMs;
  }

  remember(fingerprint: string, now: number): void {
    this.grantedAt.delete(fingerprint);
    this.grantedAt.set(fingerprint, now);
    this.evict(now);
  }

  /** The holder went the other way: their earlier passage no longer makes a new one a replay. */
  forget(key: string): void {
    this.grantedAt.delete(key);
  }

  get size(): number {
    return this.grantedAt.size;
  }

  private evict(now: number): void {
    // Map iteration follows insertion order, and remember() re-inserts: the first entries are the oldest.
    for (const [fingerprint, at] of this.grantedAt) {
      if (now - at < this.windowMs && this.grantedAt.size <= this.maxEntries) break;
      this.grantedAt.delete(fingerprint);
    }
  }
}
