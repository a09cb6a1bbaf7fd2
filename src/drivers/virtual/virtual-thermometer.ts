import type { Clock } from '../../core/clock.js';
import type { Listener, Thermometer } from '../device.js';
import { Listeners } from '../listeners.js';
import { VirtualDevice } from './virtual-device.js';

/**
 * A triggered thermometer: `measure()` answers after `latencyMs` with the
 * temperature of whoever stands in front of it (`present`), or not at all.
 */
export class VirtualThermometer extends VirtualDevice implements Thermometer {
  readonly role = 'thermometer' as const;
  /** Each `measure()` is a new measurement. */
  readonly sampleRefreshMs = 0;
  private readonly readings = new Listeners<{ celsius: number; at: number }>();
  private subject: (() => number) | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(id: string, clock: Clock, private readonly latencyMs = 150) {
    super(id, clock);
  }

  onReading(listener: Listener<{ celsius: number; at: number }>): void {
    this.readings.add(listener);
  }

  /** The next measurements return this temperature (or sequence); `undefined` means nobody is there. */
  present(celsius: number | readonly number[] | undefined): void {
    if (celsius === undefined) {
      this.subject = undefined;
      return;
    }
    const sequence = typeof celsius === 'number' ? [celsius] : [...celsius];
    let index = 0;
    this.subject = () => sequence[Math.min(index++, sequence.length - 1)] as number;
  }

  measure(): void {
    if (!this.online || !this.subject) return;
    const read = this.subject;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.online) this.readings.emit({ celsius: read(), at: this.clock.now() });
    }, this.latencyMs);
    this.timers.add(timer);
  }

  override async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
