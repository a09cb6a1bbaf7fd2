import { GatewardenError } from '../../errors.js';
import type { ModbusBus, ModbusOperation, UnitTiming } from '../modbus/modbus-bus.js';
import type { Shared } from '../port-registry.js';
import type { DeviceContext } from './device-context.js';
import { ProfileDevice } from './profile-device.js';

/**
 * A device that is one unit on a Modbus bus. Each call is retried as the
 * profile says (each retry queued afresh, so other units get their turn in
 * between), and its outcome feeds the device health and circuit breaker.
 */
export abstract class ModbusDevice extends ProfileDevice {
  private bus: ModbusBus | undefined;

  constructor(
    context: DeviceContext,
    private readonly shared: Shared<ModbusBus>,
    protected readonly unit: UnitTiming,
  ) {
    super(context);
    shared.value.onState((state) => {
      if (!this.running) return;
      if (state.up) this.lineUp();
      else this.health.linkDown(state.error);
    });
  }

  /** The line has just come up (port opened, TCP connected): a device that polls can ask at once instead of at its next period. */
  protected lineUp(): void {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.bus = this.shared.acquire();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.bus = undefined;
    await this.shared.release();
  }

  /**
   * Nothing goes out while the line is down: those would be failures of the
   * port, not of the unit, and would mark a device degraded that was never up.
   */
  protected override mayRequest(): boolean {
    return this.shared.value.isUp && super.mayRequest();
  }

  /** One logical exchange with the unit, retried; rejects with a coded error after the last attempt. */
  protected async call<T>(what: string, operation: ModbusOperation<T>): Promise<T> {
    let lastError = new GatewardenError('GW_DEVICE_IO', `${this.id}: not started`);
    for (let attempt = 0; attempt <= this.context.timing.retries && this.bus; attempt += 1) {
      try {
        const result = await this.bus.request(this.unit, what, operation);
        this.health.succeeded();
        return result;
      } catch (error) {
        lastError = error as GatewardenError;
        this.log.debug({ attempt, code: lastError.code, err: lastError }, `${what} failed`);
      }
    }
    this.health.failed(lastError);
    this.log.warn({ code: lastError.code, err: lastError }, `${what} failed`);
    throw lastError;
  }
}
