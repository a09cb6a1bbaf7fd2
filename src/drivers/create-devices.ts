import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { createProfileDevice } from './create-profile-device.js';
import type { AnyDevice } from './device.js';
import type { DeviceSettings, VirtualDeviceSettings } from './device-settings.js';
import type { PortRegistry } from './port-registry.js';
import { SHIPPED_PROFILES_DIR } from './profile/profiles-dir.js';
import { loadClipCatalogue } from './announcer/announcer-clips.js';
import { VirtualAnnouncer } from './virtual/virtual-announcer.js';
import { VirtualBarrier } from './virtual/virtual-barrier.js';
import { VirtualIndicator } from './virtual/virtual-indicator.js';
import { VirtualScanner } from './virtual/virtual-scanner.js';
import { VirtualThermometer } from './virtual/virtual-thermometer.js';

export interface CreateDevicesDeps {
  clock: Clock;
  log: Logger;
  /** The gateway's one port registry: devices on one port share its owner. */
  ports: PortRegistry;
  profilesDir?: string;
}

/**
 * Builds the driver for each configured device, virtual or from its profile.
 * Nothing is started: profile devices stay offline until their port opens.
 */
export async function createDevices(configs: readonly DeviceSettings[], deps: CreateDevicesDeps): Promise<Map<string, AnyDevice>> {
  const devices = new Map<string, AnyDevice>();
  for (const config of configs) {
    const device =
      config.driver === 'profile'
        ? await createProfileDevice(config, { log: deps.log, clock: deps.clock, ports: deps.ports, profilesDir: deps.profilesDir ?? SHIPPED_PROFILES_DIR })
        : createVirtual(config, deps);
    devices.set(config.id, device);
  }
  return devices;
}

function createVirtual(config: VirtualDeviceSettings, { clock, log, profilesDir }: CreateDevicesDeps): AnyDevice {
  switch (config.role) {
    case 'scanner':
      return new VirtualScanner(config.id, clock);
    case 'thermometer':
      return new VirtualThermometer(config.id, clock);
    case 'barrier':
      return new VirtualBarrier(config.id, clock);
    case 'indicator':
      return new VirtualIndicator(config.id, clock);
    case 'announcer':
      return new VirtualAnnouncer(config.id, clock, loadClipCatalogue(profilesDir ?? SHIPPED_PROFILES_DIR, 'announcer-clips'), log.child({ module: 'announcer' }));
  }
}
