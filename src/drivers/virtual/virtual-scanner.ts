import type { Listener, Scanner } from '../device.js';
import { Listeners } from '../listeners.js';
import { VirtualDevice } from './virtual-device.js';

export class VirtualScanner extends VirtualDevice implements Scanner {
  readonly role = 'scanner' as const;
  private readonly codes = new Listeners<{ code: string; at: number }>();

  onCode(listener: Listener<{ code: string; at: number }>): void {
    this.codes.add(listener);
  }

  /** Someone holds a code to the scanner. An unplugged scanner reads nothing. */
  scan(code: string): void {
    if (this.online) this.codes.emit({ code, at: this.clock.now() });
  }
}
