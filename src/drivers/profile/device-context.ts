import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { DeviceProfile, TimingSpec } from './profile-schema.js';

/** What every profile-driven device is built from: its profile, resolved timing and its dependencies. */
export interface DeviceContext {
  id: string;
  profile: DeviceProfile;
  /** The profile's timing with the device's own overrides applied. */
  timing: TimingSpec;
  calibrationOffset: number;
  clock: Clock;
  log: Logger;
}
