import { setTimeout as sleep } from 'node:timers/promises';
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
 *
 * RTU has no transaction id, so a reply that comes after its timeout could be
 * taken for the answer to the next request to the same unit. After a timeout
 * the unit is therefore left alone for its guard time, outside the queue so
 * the other units keep their turns; a reply later than timeout + guard cannot
 * be told apart, and the guard is sized for the slowest model.
 */
export class ModbusBus {
  private tail: Promise<unknown> = Promise.resolve();
  /** Requests queued or on the wire; at 0 the next one starts at once instead of after `tail`. */
  private queued = 0;
  private readonly dequeue = (): void => {
    this.queued -= 1;
  };
  private readonly quietUntil = new Map<number, number>();

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
    const quietUntil = this.quietUntil.get(unit.unitId);
    const guardLeft = quietUntil === undefined ? 0 : quietUntil - performance.now();
    if (guardLeft > 0) return sleep(guardLeft).then(() => this.enqueue(unit, what, operation));
    return this.enqueue(unit, what, operation);
  }

  /**
   * Each promise hop and closure here is paid on every read (issue 14), so a
   * request to an idle line starts right away; otherwise it waits for the one
   * before it. `tail` never rejects.
   */
  private enqueue<T>(unit: UnitTiming, what: string, operation: ModbusOperation<T>): Promise<T> {
    const idle = this.queued === 0;
    this.queued += 1;
    const result = idle ? this.execute(unit, what, operation) : this.tail.then(() => this.execute(unit, what, operation));
    this.tail = result.then(this.dequeue, this.dequeue);
    return result;
  }

  private async execute<T>({ unitId, timeoutMs, lateReplyGuardMs }: UnitTiming, what: string, operation: ModbusOperation<T>): Promise<T> {
    if (!this.line.isUp) throw new GatewardenError('GW_DEVICE_IO', `${what}: line is down`);
    const ready = this.line.beforeRequest();
    if (ready) await ready;
    const { client } = this.line;
    client.setID(unitId);
    client.setTimeout(timeoutMs);
    try {
      return await operation(client);
    } catch (error) {
      const coded = toDeviceError(error, `unit ${unitId} ${what}`);
      if (coded.code === 'GW_DEVICE_TIMEOUT') this.quietUntil.set(unitId, performance.now() + lateReplyGuardMs);
      this.log.debug({ unitId, code: coded.code, err: coded }, 'modbus request failed');
      throw coded;
    }
  }
}
