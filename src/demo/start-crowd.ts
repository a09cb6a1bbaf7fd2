import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { RosterCard } from '../core/roster.js';
import type { AnyDevice } from '../drivers/device.js';
import { VirtualBarrier } from '../drivers/virtual/virtual-barrier.js';
import { VirtualScanner } from '../drivers/virtual/virtual-scanner.js';
import { VirtualThermometer } from '../drivers/virtual/virtual-thermometer.js';
import type { LaneRunner } from '../lane/lane-runner.js';
import type { GateSettings } from '../lane/lane-setup.js';
import { Crowd, type CrowdLane } from './crowd.js';
import { PassIssuer } from './pass-issuer.js';

/** A key that signs passes: the demo issuer the gateway trusts, or the forger it does not. */
export interface SigningKey {
  kid: string;
  privateKey: string;
}

export interface StartCrowdOptions {
  gates: readonly GateSettings[];
  devices: ReadonlyMap<string, AnyDevice>;
  lanes: ReadonlyMap<string, LaneRunner>;
  cards: readonly RosterCard[];
  issuer: SigningKey;
  forger: SigningKey;
  arrivalEveryMs: number;
  seed: number;
  clock: Clock;
  log: Logger;
}

/** Starts the demo crowd on every lane whose scanner and barrier are virtual (`demo.crowd`). */
export function startCrowd(options: StartCrowdOptions): Crowd {
  const { issuer, forger } = options;
  const crowd = new Crowd({
    lanes: crowdLanes(options.gates, options.devices, options.lanes),
    issuer: new PassIssuer(issuer.kid, issuer.privateKey),
    forger: new PassIssuer(forger.kid, forger.privateKey),
    cards: options.cards,
    arrivalEveryMs: options.arrivalEveryMs,
    seed: options.seed,
    clock: options.clock,
    log: options.log,
  });
  crowd.start();
  return crowd;
}

function crowdLanes(gates: readonly GateSettings[], devices: ReadonlyMap<string, AnyDevice>, lanes: ReadonlyMap<string, LaneRunner>): CrowdLane[] {
  const found: CrowdLane[] = [];
  for (const gate of gates) {
    for (const lane of gate.lanes) {
      const slots = lane.devices;
      const scanner = devices.get(slots.scanner);
      const barrier = devices.get(slots.barrier);
      const runner = lanes.get(`${gate.id}/${lane.id}`);
      // The crowd can only walk through lanes whose devices are virtual.
      if (!(scanner instanceof VirtualScanner) || !(barrier instanceof VirtualBarrier) || !runner) continue;
      const exitScanner = slots.exitScanner ? devices.get(slots.exitScanner) : undefined;
      const thermometer = slots.thermometer ? devices.get(slots.thermometer) : undefined;
      found.push({
        id: runner.id,
        direction: lane.direction,
        isIdle: () => runner.phase === 'idle',
        scanner,
        barrier,
        ...(exitScanner instanceof VirtualScanner ? { exitScanner } : {}),
        ...(thermometer instanceof VirtualThermometer ? { thermometer } : {}),
      });
    }
  }
  return found;
}
