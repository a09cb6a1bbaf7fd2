import type { Logger } from 'pino';

/**
 * Counts events that come in floods (sockets refused or evicted before login)
 * and logs one warn line per interval with the counts, instead of one line
 * per event: 5,000 sockets a second must not become 5,000 journal lines a
 * second (issue 12, second outside test). The first event of a quiet period
 * is logged at once, so a single refusal is still seen without delay.
 */
export class LogSummary {
  private counts = new Map<string, number>();
  private addresses = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private lastLine = -Infinity;

  constructor(
    private readonly log: Logger,
    private readonly message: string,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  count(kind: string, address: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    // Bounded: enough addresses to tell one host from a spray.
    if (this.addresses.size < 16) this.addresses.add(address);
    if (this.timer) return;
    const wait = Math.max(0, this.lastLine + this.intervalMs - this.now());
    if (wait === 0) this.flush();
    else {
      this.timer = setTimeout(() => this.flush(), wait);
      this.timer.unref();
    }
  }

  /** Logs what was counted since the last line, if anything. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.counts.size === 0) return;
    this.log.warn({ ...Object.fromEntries(this.counts), addresses: [...this.addresses], intervalMs: this.intervalMs }, this.message);
    this.lastLine = this.now();
    this.counts = new Map();
    this.addresses = new Set();
  }
}
