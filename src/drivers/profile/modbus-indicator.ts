import { GatewardenError } from '../../errors.js';
import type { Indicator, IndicatorSignal } from '../device.js';
import type { ModbusBus, UnitTiming } from '../modbus/modbus-bus.js';
import type { Shared } from '../port-registry.js';
import type { IndicatorSpec } from './actuator-schema.js';
import type { DeviceContext } from './device-context.js';
import { ModbusDevice } from './modbus-device.js';

/**
 * Lights and buzzer on relay coils. A signal switches its outputs on and all
 * others off, one coil write each (function 05 is the one every relay board
 * supports); outputs with a pulse switch off again by themselves.
 */
export class ModbusIndicator extends ModbusDevice implements Indicator {
  readonly role = 'indicator' as const;
  private readonly pulses = new Set<NodeJS.Timeout>();
  private wanted: IndicatorSignal | undefined;
  private switching: Promise<void> | undefined;

  constructor(
    context: DeviceContext,
    shared: Shared<ModbusBus>,
    unit: UnitTiming,
    private readonly spec: IndicatorSpec,
  ) {
    super(context, shared, unit);
  }

  override async stop(): Promise<void> {
    for (const pulse of this.pulses) clearTimeout(pulse);
    this.pulses.clear();
    await super.stop();
  }

  /**
   * Lights show a state, so only the latest signal matters: one asked for while
   * another is being switched replaces any still waiting, and the bus queue
   * never holds more than one signal per indicator, however fast lanes change.
   * Every caller's promise settles once the latest signal is shown.
   */
  show(signal: IndicatorSignal): Promise<void> {
    if (!this.mayRequest()) return Promise.reject(new GatewardenError('GW_DEVICE_IO', `${this.id} is offline (port down or circuit open)`));
    this.wanted = signal;
    this.switching ??= this.switchToWanted().finally(() => {
      this.switching = undefined;
    });
    return this.switching;
  }

  private async switchToWanted(): Promise<void> {
    // Bounded: each pass takes the wanted signal; only a caller arriving during a pass adds one more.
    for (let signal = this.wanted; signal !== undefined; signal = this.wanted) {
      this.wanted = undefined;
      await this.switchTo(signal);
    }
  }

  private async switchTo(signal: IndicatorSignal): Promise<void> {
    const on = new Set(this.spec.signals[signal]);
    for (const [name, output] of Object.entries(this.spec.outputs)) {
      const state = on.has(name);
      await this.call(`switch ${name} ${state ? 'on' : 'off'}`, (client) => client.writeCoil(output.coil, state));
      if (state && output.pulseMs !== undefined) this.switchOffLater(name, output.coil, output.pulseMs);
    }
  }

  private switchOffLater(name: string, coil: number, afterMs: number): void {
    const pulse = setTimeout(() => {
      this.pulses.delete(pulse);
      this.call(`switch ${name} off`, (client) => client.writeCoil(coil, false)).catch(() => undefined);
    }, afterMs);
    this.pulses.add(pulse);
  }
}
