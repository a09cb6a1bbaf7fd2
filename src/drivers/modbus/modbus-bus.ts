import type { Logger } from 'pino';
import { GatewardenError } from '../../errors.js';
import type { Listener } from '../device.js';
import type { LinkState } from '../serial/serial-link.js';
import type { ModbusClient } from './modbus-client.js';
import { toDeviceError } from './modbus-errors.js';
import type { ModbusLine } from './modbus-line.js';

export type ModbusOperation<T> = (client: ModbusClient) => Promise<T>;

/** Who a request is for, and how long to wait for it. */
export interface UnitTiming {
  unitId: number;
  timeoutMs: number;
  /** After a timeout, how long this unit is left alone so its late reply cannot answer the next request. */
  lateReplyGuardMs: number;
}

/**
 * The one owner of a Modbus line: all units on it share this queue, and
 * exactly one request is on the wire at a time (Serial Line V1.02 §2.1: one
 * master, one outstanding request). Every request carries its own timeout;
 * a timeout or a CRC error is reported to the caller and the line stays open.
 * The queue stays short by construction: each device waits for its previous
 * request before queueing the next one.
 */
export class ModbusBus {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly line: ModbusLine,
    private readonly log: Logger,
  ) {}

  get isUp(): boolean {
    return this.line.isUp;
  }

  start(): void {
    this.line.start();
  }

  stop(): Promise<void> {
    return this.line.stop();
  }

  onState(listener: Listener<LinkState>): void {
    this.line.onState(listener);
  }

  /** Queues `operation` for one unit; rejects with a coded error. */
  request<T>(unit: UnitTiming, what: string, operation: ModbusOperation<T>): Promise<T> {
    const run = () => this.execute(unit, what, operation);
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async execute<T>({ unitId, timeoutMs, lateReplyGuardMs }: UnitTiming, what: string, operation: ModbusOperation<T>): Promise<T> {
    if (!this.line.isUp) throw new GatewardenError('GW_DEVICE_IO', `${what}: line is down`);
    await this.line.beforeRequest(unitId);
    const { client } = this.line;
    client.setID(unitId);
    client.setTimeout(timeoutMs);
    try {
      return await operation(client);
    } catch (error) {
      const coded = toDeviceError(error, `unit ${unitId} ${what}`);
      if (coded.code === 'GW_DEVICE_TIMEOUT') this.line.afterTimeout(unitId, lateReplyGuardMs);
      this.log.debug({ unitId, code: coded.code, err: coded }, 'modbus request failed');
      throw coded;
    }
  }
}
