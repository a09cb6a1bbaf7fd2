import type { Logger } from 'pino';

type Stop = () => Promise<void> | void;

/** What the gateway started, to stop in reverse order: the last part started is the first stopped. */
export class StopStack {
  private readonly steps: Stop[] = [];

  constructor(private readonly log: Logger) {}

  push(step: Stop): void {
    this.steps.push(step);
  }

  /** Runs every step, last pushed first; a step that fails is logged and the others still run. */
  async run(): Promise<void> {
    for (const step of this.steps.reverse().splice(0)) {
      try {
        await step();
      } catch (error) {
        this.log.error({ err: (error as Error).message }, 'error during shutdown');
      }
    }
  }
}
