import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { AnyDevice, DeviceStatus } from '../drivers/device.js';
import type { Journal } from '../store/journal.js';

/** Where a device sits, for the alert: the lanes that use it. */
export type DevicePlacement = ReadonlyMap<string, { gate: string; lane: string }>;

/**
 * Watches every device. Going offline raises one `device-fault` alert (through
 * the journal, so it is never lost); every change is handed to `onChange` for
 * the retained `…/devices/<id>` topic. After `stop()` (the gateway's stop,
 * before the database closes) a device going offline on its way down records nothing.
 */
export function watchDevices(options: {
  devices: readonly AnyDevice[];
  placement: DevicePlacement;
  journal: Journal;
  clock: Clock;
  log: Logger;
  onChange: (device: AnyDevice, status: DeviceStatus) => void;
}): { stop: () => void } {
  const log = options.log.child({ module: 'devices' });
  let stopped = false;
  for (const device of options.devices) {
    let previous = device.status().availability;
    device.onStatus((status) => {
      if (stopped) return;
      const where = options.placement.get(device.id);
      log[status.availability === 'online' ? 'info' : 'warn'](
        { device: device.id, role: device.role, availability: status.availability, error: status.lastError?.code, ...where },
        `device ${status.availability}`,
      );
      if (status.availability === 'offline' && previous !== 'offline') {
        try {
          options.journal.recordAlert({
            type: 'device-fault',
            severity: device.role === 'barrier' || device.role === 'thermometer' ? 'critical' : 'warning',
            at: options.clock.now(),
            ...(where ?? {}),
            reasons: ['DEVICE_FAULT'],
            details: { device: device.id, role: device.role, error: status.lastError?.code ?? null, message: status.lastError?.message ?? null },
          });
        } catch (error) {
          log.error({ err: (error as Error).message, code: 'GW_STORAGE' }, 'cannot record device-fault alert');
        }
      }
      previous = status.availability;
      options.onChange(device, status);
    });
  }
  return {
    stop: () => {
      stopped = true;
    },
  };
}
