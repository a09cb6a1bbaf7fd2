import { Code, GatewardenError } from '../../errors.js';
import type { Barrier, Listener } from '../device.js';
import type { ModbusBus, UnitTiming } from '../modbus/modbus-bus.js';
import type { Shared } from '../port-registry.js';
import type { RelaySpec } from './actuator-schema.js';
import type { DeviceContext } from './device-context.js';
import { ModbusDevice } from './modbus-device.js';
import { Poller } from './poller.js';

/**
 * A barrier behind a Modbus relay board. A release closes the "open" contact
 * for pulseMs; the board's echo of the coil write (Application Protocol §6.5)
 * is the acknowledgement. The passage sensor is a discrete input polled for
 * its leading edge.
 */
export class ModbusBarrier extends ModbusDevice implements Barrier {
  readonly role = 'barrier' as const;
  readonly hasPassageSensor: boolean;
  private readonly passages = this.channel<{ at: number }>('passage');
  private readonly sensor: Poller | undefined;
  private readonly pulses = new Set<NodeJS.Timeout>();
  private occupied: boolean | undefined;

  constructor(
    context: DeviceContext,
    shared: Shared<ModbusBus>,
    unit: UnitTiming,
    private readonly relay: RelaySpec,
  ) {
    super(context, shared, unit);
    this.hasPassageSensor = relay.passageInput !== undefined;
    if (relay.passageInput !== undefined) this.sensor = new Poller(relay.sensorPollMs, () => this.readSensor());
  }

  onPassage(listener: Listener<{ at: number }>): void {
    this.passages.add(listener);
  }

  override async start(): Promise<void> {
    await super.start();
    this.sensor?.start();
  }

  override async stop(): Promise<void> {
    this.sensor?.stop();
    for (const pulse of this.pulses) clearTimeout(pulse);
    this.pulses.clear();
    await super.stop();
  }

  async release(): Promise<void> {
    await this.setContact(true);
    const pulse = setTimeout(() => {
      this.pulses.delete(pulse);
      this.setContact(false).catch(() => this.log.error({ code: Code.GW_BARRIER_NO_ACK }, 'release contact may still be closed'));
    }, this.relay.pulseMs);
    this.pulses.add(pulse);
  }

  holdOpen(): Promise<void> {
    return this.setContact(true);
  }

  lock(): Promise<void> {
    return this.setContact(false);
  }

  private async setContact(closed: boolean): Promise<void> {
    if (!this.mayRequest()) throw new GatewardenError('GW_BARRIER_NO_ACK', `${this.id} is offline (port down or circuit open)`);
    try {
      await this.call(closed ? 'close release contact' : 'open release contact', (client) => client.writeCoil(this.relay.releaseCoil, closed));
    } catch (error) {
      throw new GatewardenError('GW_BARRIER_NO_ACK', `${this.id}: ${(error as Error).message}`);
    }
  }

  private async readSensor(): Promise<void> {
    const input = this.relay.passageInput;
    if (input === undefined || !this.mayRequest()) return;
    try {
      const result = await this.call('read passage sensor', (client) => client.readDiscreteInputs(input, 1));
      const occupied = result.data[0] === this.relay.passageActiveHigh;
      // A leading edge is one passage; the first read only learns the state.
      if (occupied && this.occupied === false) this.passages.emit({ at: this.clock.now() });
      this.occupied = occupied;
    } catch {
      // Counted by the health; the next poll tries again.
    }
  }
}
