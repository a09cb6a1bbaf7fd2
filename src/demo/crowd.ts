import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { RosterCard } from '../core/roster.js';
import type { VirtualBarrier } from '../drivers/virtual/virtual-barrier.js';
import type { VirtualScanner } from '../drivers/virtual/virtual-scanner.js';
import type { VirtualThermometer } from '../drivers/virtual/virtual-thermometer.js';
import type { PassIssuer } from './pass-issuer.js';
import { nextVisit } from './personas.js';
import { seededRandom } from './random.js';

/** The virtual devices of one lane, as the crowd sees them. */
export interface CrowdLane {
  id: string;
  direction: 'in' | 'out' | 'both';
  isIdle: () => boolean;
  scanner: VirtualScanner;
  exitScanner?: VirtualScanner;
  thermometer?: VirtualThermometer;
  barrier: VirtualBarrier;
}

export interface CrowdOptions {
  lanes: readonly CrowdLane[];
  issuer: PassIssuer;
  forger: PassIssuer;
  cards: readonly RosterCard[];
  arrivalEveryMs: number;
  seed: number;
  clock: Clock;
  log: Logger;
}

/**
 * A demo crowd: residents and visitors arrive at every lane at random
 * intervals, with green, yellow and red codes, the odd fever, expired, forged
 * and shared passes. It drives the virtual devices only, so the lanes run
 * exactly the code path real hardware would.
 */
export class Crowd {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** The second scan of a person showing a card, then the pass. */
  private readonly followUps = new Set<NodeJS.Timeout>();
  private readonly random: () => number;
  private recentPass: string | undefined;
  private stopped = false;
  private readonly log: Logger;

  constructor(private readonly options: CrowdOptions) {
    this.random = seededRandom(options.seed);
    this.log = options.log.child({ module: 'crowd' });
  }

  start(): void {
    for (const lane of this.options.lanes) this.schedule(lane, this.options.arrivalEveryMs * (0.2 + this.random()));
    this.log.info({ lanes: this.options.lanes.length, seed: this.options.seed }, 'demo crowd walking');
  }

  stop(): void {
    this.stopped = true;
    for (const timer of [...this.timers.values(), ...this.followUps]) clearTimeout(timer);
    this.timers.clear();
    this.followUps.clear();
  }

  private schedule(lane: CrowdLane, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.arrive(lane);
      this.schedule(lane, this.options.arrivalEveryMs * (0.5 + this.random()));
    }, delayMs);
    this.timers.set(lane.id, timer);
  }

  private arrive(lane: CrowdLane): void {
    // People queue: nobody scans while the previous person is still being screened or walking through.
    if (!lane.isIdle()) return;
    const direction = lane.direction === 'both' ? (this.random() < 0.6 ? 'in' : 'out') : lane.direction;
    const visit = nextVisit(direction, {
      random: this.random,
      nowS: Math.floor(this.options.clock.now() / 1000),
      issuer: this.options.issuer,
      forger: this.options.forger,
      cards: this.options.cards,
      recentPass: this.recentPass,
    });
    if (visit.persona === 'visitor-green') this.recentPass = visit.codes[0];
    lane.thermometer?.present(visit.temperatures);
    lane.barrier.expectWalk(visit.walks ? 600 + Math.floor(this.random() * 1200) : undefined);
    const scanner = direction === 'out' && lane.exitScanner ? lane.exitScanner : lane.scanner;
    this.log.debug({ lane: lane.id, persona: visit.persona, direction }, 'someone arrives');
    const [first, ...rest] = visit.codes;
    if (first !== undefined) scanner.scan(first);
    // The phone comes out of the pocket a moment after the card.
    rest.forEach((code, index) => {
      const timer = setTimeout(() => {
        this.followUps.delete(timer);
        if (!this.stopped) scanner.scan(code);
      }, 800 * (index + 1));
      this.followUps.add(timer);
    });
  }
}
