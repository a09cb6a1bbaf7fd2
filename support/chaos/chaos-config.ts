import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { harnessConfig } from '../gateway/gateway-harness.js';

export interface ChaosConfigOptions {
  dir: string;
  /** Where the database lives (a small tmpfs for the disk-full scenario). */
  databasePath: string;
  brokerUrl: string;
  lanes: number;
  arrivalEveryMs: number;
  prefix: string;
  /** Serial ports of one extra lane on real drivers (socat ptys): the `pty` scenario. */
  ptyLane?: PtyLanePorts;
}

export interface PtyLanePorts {
  scanner: string;
  thermometer: string;
  barrier: string;
}

export const PTY_LANE_ID = 'pty';

/** The extra lane's devices: a QR scanner, a push thermometer and a command barrier, each on its own pty. */
function ptyLane(ports: PtyLanePorts) {
  return {
    lane: { id: PTY_LANE_ID, direction: 'in', devices: { scanner: 'pty-scanner', thermometer: 'pty-thermo', barrier: 'pty-barrier' } },
    devices: [
      { id: 'pty-scanner', role: 'scanner', driver: 'profile', profile: 'scanner-qr-cr', port: ports.scanner },
      { id: 'pty-thermo', role: 'thermometer', driver: 'profile', profile: 'thermo-ascii-push', port: ports.thermometer },
      { id: 'pty-barrier', role: 'barrier', driver: 'profile', profile: 'barrier-serial-ack', port: ports.barrier },
    ],
  };
}

/**
 * Two configs for one estate of `lanes` virtual entry lanes on an external
 * broker: `walking` runs the demo crowd (the load), `draining` is the same
 * gateway with nobody arriving, used at the end to empty the outbox.
 */
export function writeChaosConfigs(options: ChaosConfigOptions): { walking: string; draining: string } {
  const laneIds = Array.from({ length: options.lanes }, (_, i) => `l${String(i + 1).padStart(2, '0')}`);
  const extra = options.ptyLane ? ptyLane(options.ptyLane) : undefined;
  const base = harnessConfig(options.dir, {
    gates: [
      {
        id: 'chaos',
        name: 'Chaos gate',
        lanes: [...laneIds.map((id) => ({ id, direction: 'in', devices: { scanner: `${id}-scanner`, thermometer: `${id}-thermo`, barrier: `${id}-barrier` } })), ...(extra ? [extra.lane] : [])],
      },
    ],
    devices: [
      ...laneIds.flatMap((id) => [
        { id: `${id}-scanner`, role: 'scanner', driver: 'virtual' },
        { id: `${id}-thermo`, role: 'thermometer', driver: 'virtual' },
        { id: `${id}-barrier`, role: 'barrier', driver: 'virtual' },
      ]),
      ...(extra?.devices ?? []),
    ],
    // Default timeouts: the harness's short passage timeout is shorter than the crowd's slowest walk.
    policy: { version: 'chaos-1' },
    mqtt: { broker: { type: 'external', url: options.brokerUrl, username: 'gateway', passwordSecret: 'gateway' }, topicPrefix: options.prefix },
    // FULL, as in production: every recorded passage survives the kill.
    storage: { path: options.databasePath, synchronous: 'full' },
    log: { level: 'info' },
  });
  const walking = join(options.dir, 'walking.json');
  const draining = join(options.dir, 'draining.json');
  writeFileSync(walking, JSON.stringify({ ...base, demo: { crowd: true, arrivalEveryMs: options.arrivalEveryMs, seed: 7 } }));
  writeFileSync(draining, JSON.stringify({ ...base, demo: { crowd: false } }));
  return { walking, draining };
}
