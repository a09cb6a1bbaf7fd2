import type { Config } from '../../src/config/schema.js';
import type { PassIssuer } from '../../src/demo/pass-issuer.js';
import type { DeviceProfile } from '../../src/drivers/profile/profile-schema.js';
import type { SimEstate } from '../../support/sim/estate.js';

/** One person (or car) to send through a lane: their credentials and their temperature. */
export interface Visit {
  lane: string;
  celsius: number;
}

interface SimLane {
  id: string;
  scanner: string;
  /** Where the health pass is shown after a card or plate: the lane's window scanner, else its scanner. */
  codeScanner: string;
  thermometer: string | undefined;
  /** Card readers get roster card ids, plate cameras roster plates, code scanners signed health passes. */
  credential: 'card' | 'plate' | 'pass';
}

/** Who arrives: what the lane's scanner reads first, and the health pass the person then shows, if any. */
interface Arrival {
  code: string;
  pass?: string;
}

/**
 * Sends people (and cars) through the simulated estate's entry lanes in turn:
 * the thermometer gets a temperature (now and then a fever), then the scanner
 * a credential, over the wire like the real devices. A card or plate only says
 * who: the person (a vehicle's occupant) then shows their own health pass on the
 * lane's window scanner. Stops after `count` visits.
 */
export class Visitors {
  private readonly lanes: SimLane[];
  private timer: NodeJS.Timeout | undefined;
  private sent = 0;
  private issued = 0;

  constructor(
    private readonly estate: SimEstate,
    private readonly config: Readonly<Config>,
    private readonly issuer: PassIssuer,
  ) {
    this.lanes = config.gates.flatMap((gate) =>
      gate.lanes.map((lane) => ({
        id: `${gate.id}/${lane.id}`,
        scanner: lane.devices.scanner,
        codeScanner: lane.devices.codeScanner ?? lane.devices.scanner,
        thermometer: lane.devices.thermometer,
        credential: credentialOf(estate.device(lane.devices.scanner).profile),
      })),
    );
  }

  /** One visit on a lane, by the lane's index: temperature first, the scan 50 ms later, the health pass after a card or plate 100 ms after that. */
  visit(laneIndex: number, celsius: number): Visit {
    const lane = this.lanes[laneIndex % this.lanes.length]!;
    if (lane.thermometer) this.estate.setTemperature(lane.thermometer, celsius);
    const { code, pass } = this.arrival(lane, laneIndex);
    setTimeout(() => this.estate.line(lane.scanner).send(code), 50);
    if (pass !== undefined) setTimeout(() => this.estate.line(lane.codeScanner).send(pass), 150);
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

  private arrival(lane: SimLane, index: number): Arrival {
    const { cards, vehicles } = this.config.roster;
    if (lane.credential === 'card') {
      // A roster card names its holder's health-code subject: the pass they show is their own.
      const card = cards[index % cards.length];
      return card ? { code: card.uid, pass: this.pass(card.subject) } : { code: '00000000' };
    }
    if (lane.credential === 'plate') {
      const vehicle = vehicles[index % vehicles.length];
      // Any occupant may show their pass at the window: here a resident of the vehicle's household, else a passenger.
      const occupant = cards.find((card) => vehicle?.household !== undefined && card.household === vehicle.household)?.subject ?? `passenger-${index}`;
      return { code: vehicle?.plate ?? '京A00000', pass: this.pass(occupant) };
    }
    return { code: this.pass(`visitor-${index}`) };
  }

  /** Each pass distinct (its iat), so one person coming back within the second is not a replay. */
  private pass(sub: string): string {
    const nowS = Math.floor(Date.now() / 1000);
    this.issued += 1;
    return this.issuer.issue({ sub, col: 'green', iat: nowS - 60 - (this.issued % 60), exp: nowS + 3600 });
  }
}

function credentialOf(scanner: DeviceProfile): SimLane['credential'] {
  if (scanner.role === 'plate-reader') return 'plate';
  return scanner.model.includes('card') ? 'card' : 'pass';
}
