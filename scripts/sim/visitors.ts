import type { Config } from '../../src/config/schema.js';
import type { PassIssuer } from '../../src/demo/pass-issuer.js';
import type { DeviceProfile } from '../../src/drivers/profile/profile-schema.js';
import type { SimEstate } from './estate.js';

/** One person (or car) to send through a lane: their credential and their temperature. */
export interface Visit {
  lane: string;
  celsius: number;
}

interface SimLane {
  id: string;
  scanner: string;
  thermometer: string | undefined;
  /** Card readers get roster card ids, plate cameras roster plates, code scanners signed health passes. */
  credential: 'card' | 'plate' | 'pass';
}

/**
 * Sends people (and cars) through the simulated estate's entry lanes in turn:
 * the thermometer gets a temperature (now and then a fever), then the scanner
 * a credential, over the wire like the real devices. Stops after `count` visits.
 */
export class Visitors {
  private readonly lanes: SimLane[];
  private timer: NodeJS.Timeout | undefined;
  private sent = 0;

  constructor(
    private readonly estate: SimEstate,
    private readonly config: Readonly<Config>,
    private readonly issuer: PassIssuer,
  ) {
    this.lanes = config.gates.flatMap((gate) =>
      gate.lanes.map((lane) => ({
        id: `${gate.id}/${lane.id}`,
        scanner: lane.devices.scanner,
        thermometer: lane.devices.thermometer,
        credential: credentialOf(estate.device(lane.devices.scanner).profile),
      })),
    );
  }

  /** One visit on a lane, by the lane's index: temperature first, the scan 50 ms later. */
  visit(laneIndex: number, celsius: number): Visit {
    const lane = this.lanes[laneIndex % this.lanes.length]!;
    if (lane.thermometer) this.estate.setTemperature(lane.thermometer, celsius);
    const code = lane.credential === 'card' ? this.card(laneIndex) : lane.credential === 'plate' ? this.plate(laneIndex) : this.pass(laneIndex);
    setTimeout(() => this.estate.line(lane.scanner).send(code), 50);
    // A self-triggering head measures again while the person stays in front of it (the lane re-measures a first fever).
    const thermometer = lane.thermometer;
    if (thermometer && this.estate.device(thermometer).kind === 'line') setTimeout(() => this.estate.setTemperature(thermometer, celsius), 400);
    return { lane: lane.id, celsius };
  }

  start(everyMs: number, count: number, onVisit: (visit: Visit) => void): void {
    const next = () => {
      if (this.sent >= count) return;
      this.sent += 1;
      // Every seventh person has a fever.
      onVisit(this.visit(this.sent, this.sent % 7 === 0 ? 38.4 : 36.2 + (this.sent % 8) / 10));
      this.timer = setTimeout(next, everyMs);
    };
    this.timer = setTimeout(next, everyMs);
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  private card(index: number): string {
    const cards = this.config.roster.cards;
    return cards[index % cards.length]?.uid ?? '00000000';
  }

  private plate(index: number): string {
    const vehicles = this.config.roster.vehicles;
    return vehicles[index % vehicles.length]?.plate ?? '京A00000';
  }

  private pass(index: number): string {
    const nowS = Math.floor(Date.now() / 1000);
    return this.issuer.issue({ sub: `visitor-${index}`, col: 'green', iat: nowS - 60, exp: nowS + 3600 });
  }
}

function credentialOf(scanner: DeviceProfile): SimLane['credential'] {
  if (scanner.role === 'plate-reader') return 'plate';
  return scanner.model.includes('card') ? 'card' : 'pass';
}
