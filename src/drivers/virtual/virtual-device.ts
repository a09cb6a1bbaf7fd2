import type { Clock } from '../../core/clock.js';
import type { DeviceRole, DeviceStatus, Listener } from '../device.js';
import { Listeners } from '../listeners.js';

/**
 * Shared by the in-process devices: lifecycle and an availability that tests
 * and the demo can switch, exactly as a real driver reports it.
 */
export abstract class VirtualDevice {
  abstract readonly role: DeviceRole;
  private current: DeviceStatus;
  private readonly statusListeners = new Listeners<DeviceStatus>();

  constructor(
    readonly id: string,
    protected readonly clock: Clock,
  ) {
    this.current = { availability: 'online', since: clock.now() };
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  status(): DeviceStatus {
    return this.current;
  }

  onStatus(listener: Listener<DeviceStatus>): void {
    this.statusListeners.add(listener);
  }

  get online(): boolean {
    return this.current.availability !== 'offline';
  }

  /** Simulates unplugging (`false`) and plugging back in (`true`). */
  setOnline(online: boolean): void {
    if (online === this.online) return;
    const at = this.clock.now();
    this.current = online
      ? { availability: 'online', since: at }
      : { availability: 'offline', since: at, lastError: { code: 'GW_DEVICE_IO', message: 'virtual device unplugged', at } };
    this.statusListeners.emit(this.current);
  }
}
