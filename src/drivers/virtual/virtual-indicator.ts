import type { Indicator, IndicatorSignal } from '../device.js';
import { VirtualDevice } from './virtual-device.js';

export class VirtualIndicator extends VirtualDevice implements Indicator {
  readonly role = 'indicator' as const;
  signal: IndicatorSignal = 'idle';

  async show(signal: IndicatorSignal): Promise<void> {
    this.signal = signal;
  }
}
