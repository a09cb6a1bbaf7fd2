import type { Clock } from '../../core/clock.js';
import { GatewardenError } from '../../errors.js';
import type { Barrier, Listener } from '../device.js';
import { Listeners } from '../listeners.js';
import { VirtualDevice } from './virtual-device.js';

/**
 * A barrier with a passage sensor. Whether the released person actually walks
 * through is up to the caller (`expectWalk`), so "released but nobody passed"
 * and "passage without a grant" can both be shown.
 */
export class VirtualBarrier extends VirtualDevice implements Barrier {
  readonly role = 'barrier' as const;
  readonly hasPassageSensor = true;
  private readonly passages = new Listeners<{ at: number }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private walkAfterMs: number | undefined;
  releases = 0;
  heldOpen = false;

  constructor(id: string, clock: Clock, private readonly ackMs = 20) {
    super(id, clock);
  }

  onPassage(listener: Listener<{ at: number }>): void {
    this.passages.add(listener);
  }

  /** The next release is followed by a passage after `afterMs`; `undefined` means nobody walks. */
  expectWalk(afterMs: number | undefined): void {
    this.walkAfterMs = afterMs;
  }

  /** Someone pushes through without a release (tailgating, forcing). */
  force(): void {
    this.passages.emit({ at: this.clock.now() });
  }

  async release(): Promise<void> {
    await this.acknowledge();
    this.releases += 1;
    const walk = this.walkAfterMs;
    this.walkAfterMs = undefined;
    if (walk !== undefined) this.later(walk, () => this.passages.emit({ at: this.clock.now() }));
  }

  async holdOpen(): Promise<void> {
    await this.acknowledge();
    this.heldOpen = true;
  }

  async lock(): Promise<void> {
    await this.acknowledge();
    this.heldOpen = false;
  }

  override async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private async acknowledge(): Promise<void> {
    await new Promise<void>((resolve) => this.later(this.ackMs, resolve));
    if (!this.online) throw new GatewardenError('GW_BARRIER_NO_ACK', `barrier ${this.id} did not acknowledge`);
  }

  private later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, ms);
    this.timers.add(timer);
  }
}
