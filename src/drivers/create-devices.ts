import type { Clock } from '../core/clock.js';
import type { DeviceConfig } from '../config/schema.js';
import type { AnyDevice } from './device.js';
import { VirtualBarrier } from './virtual/virtual-barrier.js';
import { VirtualIndicator } from './virtual/virtual-indicator.js';
import { VirtualScanner } from './virtual/virtual-scanner.js';
import { VirtualThermometer } from './virtual/virtual-thermometer.js';

/** Builds the driver for each configured device. */
export function createDevices(configs: readonly DeviceConfig[], clock: Clock): Map<string, AnyDevice> {
  return new Map(configs.map((config) => [config.id, createVirtual(config, clock)]));
}

function createVirtual(config: DeviceConfig, clock: Clock): AnyDevice {
  switch (config.role) {
    case 'scanner':
      return new VirtualScanner(config.id, clock);
    case 'thermometer':
      return new VirtualThermometer(config.id, clock);
    case 'barrier':
      return new VirtualBarrier(config.id, clock);
    case 'indicator':
      return new VirtualIndicator(config.id, clock);
  }
}
