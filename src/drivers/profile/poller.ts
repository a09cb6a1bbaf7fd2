/**
 * Runs a task every `periodMs`, measured from start to start, never two at
 * once: when a task overruns, the next one starts right after it.
 */
export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly periodMs: number,
    private readonly task: () => Promise<void>,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    const started = performance.now();
    await this.task();
    if (this.running) this.schedule(Math.max(0, this.periodMs - (performance.now() - started)));
  }
}
