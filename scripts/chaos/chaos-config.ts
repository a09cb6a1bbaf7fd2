import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { harnessConfig } from '../../test/helpers/gateway-harness.js';

export interface ChaosConfigOptions {
  dir: string;
  /** Where the database lives (a small tmpfs for the disk-full scenario). */
  databasePath: string;
  brokerUrl: string;
  lanes: number;
  arrivalEveryMs: number;
  prefix: string;
}

/**
 * Two configs for one estate of `lanes` virtual entry lanes on an external
 * broker: `walking` runs the demo crowd (the load), `draining` is the same
 * gateway with nobody arriving, used at the end to empty the outbox.
 */
export function writeChaosConfigs(options: ChaosConfigOptions): { walking: string; draining: string } {
  const laneIds = Array.from({ length: options.lanes }, (_, i) => `l${String(i + 1).padStart(2, '0')}`);
  const base = harnessConfig(options.dir, {
    gates: [
      {
        id: 'chaos',
        name: 'Chaos gate',
        lanes: laneIds.map((id) => ({ id, direction: 'in', devices: { scanner: `${id}-scanner`, thermometer: `${id}-thermo`, barrier: `${id}-barrier` } })),
      },
    ],
    devices: laneIds.flatMap((id) => [
      { id: `${id}-scanner`, role: 'scanner', driver: 'virtual' },
      { id: `${id}-thermo`, role: 'thermometer', driver: 'virtual' },
      { id: `${id}-barrier`, role: 'barrier', driver: 'virtual' },
    ]),
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
