import { setTimeout as sleep } from 'node:timers/promises';
import type { Listener, Thermometer } from '../device.js';
import type { ModbusBus, UnitTiming } from '../modbus/modbus-bus.js';
import type { ModbusClient } from '../modbus/modbus-client.js';
import { decodeRegisters, registerCount } from '../modbus/register-codec.js';
import type { Shared } from '../port-registry.js';
import type { DeviceContext } from './device-context.js';
import { ModbusDevice } from './modbus-device.js';
import { Poller } from './poller.js';
import type { RegisterSpec } from './profile-schema.js';
import { bodyTemperature, isPlausible } from './temperature.js';

/**
 * A thermometer read over Modbus, as its profile's register map says: polled
 * every pollMs, or read when the lane asks (`measure()`), optionally after a
 * write that starts the measurement.
 */
export class ModbusThermometer extends ModbusDevice implements Thermometer {
  readonly role = 'thermometer' as const;
  readonly sampleRefreshMs: number;
  private readonly readings = this.channel<{ celsius: number; at: number }>('reading');
  private readonly poller: Poller;
  private inFlight: Promise<void> | undefined;
  private measureAgain = false;

  constructor(context: DeviceContext, shared: Shared<ModbusBus>, unit: UnitTiming) {
    super(context, shared, unit);
    const { trigger } = context.profile;
    // A polled register holds the device's last sample until it takes the next one; a triggered read is a new one.
    this.sampleRefreshMs = trigger?.mode === 'poll' && !trigger.write ? (trigger.sampleRefreshMs ?? context.timing.pollMs) : 0;
    // An on-demand unit is still read every pollMs, without the trigger, so its
    // health is known before a lane needs it: a lane refuses to start a
    // measurement on a device it believes offline.
    this.poller = new Poller(context.timing.pollMs, context.profile.trigger?.mode === 'poll' ? () => this.readOnce() : () => this.probe());
  }

  onReading(listener: Listener<{ celsius: number; at: number }>): void {
    this.readings.add(listener);
  }

  override async start(): Promise<void> {
    await super.start();
    this.poller.start();
  }

  override async stop(): Promise<void> {
    this.poller.stop();
    await super.stop();
  }

  /** Health is known as soon as the line is, not a poll period later: a lane refers anyone while its thermometer is offline. */
  protected override lineUp(): void {
    void (this.context.profile.trigger?.mode === 'poll' ? this.readOnce() : this.probe());
  }

  /**
   * A lane asking while a measurement is in flight (typically from inside the
   * listener of that measurement's reading: a first fever is re-measured) gets
   * a fresh measurement after it; sharing the old one would answer nothing.
   */
  measure(): void {
    if (this.inFlight) this.measureAgain = true;
    else void this.readOnce();
  }

  /** One measurement; polls that overlap share the one in flight. */
  private readOnce(): Promise<void> {
    this.inFlight ??= this.measureNow().finally(() => {
      this.inFlight = undefined;
      if (!this.measureAgain) return;
      this.measureAgain = false;
      void this.readOnce();
    });
    return this.inFlight;
  }

  /** A liveness read: the reading registers, value unused; skipped while a measurement is on its way. */
  private async probe(): Promise<void> {
    const { reading } = this.context.profile;
    if (!reading || this.inFlight || !this.mayRequest()) return;
    await this.call('liveness read', (client) => readRegisters(client, reading)).catch(() => undefined);
  }

  private async measureNow(): Promise<void> {
    if (!this.mayRequest()) return;
    const { reading, trigger, plausible, compensation } = this.context.profile;
    if (!reading || !plausible) return;
    try {
      const start = trigger?.write;
      if (start) {
        await this.call('start measurement', (client): Promise<unknown> =>
          start.function === 'coil' ? client.writeCoil(start.address, start.value !== 0) : client.writeRegister(start.address, start.value),
        );
        if (trigger.settleMs > 0) await sleep(trigger.settleMs);
      }
      const result = await this.call('read temperature', (client) => readRegisters(client, reading));
      const celsius = bodyTemperature(decodeRegisters(result.data, reading), compensation, this.context.calibrationOffset);
      if (!isPlausible(celsius, plausible)) {
        this.log.debug({ celsius }, 'implausible reading dropped');
        return;
      }
      this.readings.emit({ celsius, at: this.clock.now() });
    } catch {
      // Already counted by the health and logged by `call`; the next poll or measure() tries again.
    }
  }
}

function readRegisters(client: ModbusClient, reading: RegisterSpec) {
  const count = registerCount(reading.type);
  return reading.function === 'holding' ? client.readHoldingRegisters(reading.address, count) : client.readInputRegisters(reading.address, count);
}
