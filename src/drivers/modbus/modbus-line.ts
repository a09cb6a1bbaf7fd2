import type { ModbusClient } from './modbus-client.js';
import type { Listener } from '../device.js';
import type { LinkState } from '../serial/serial-link.js';

/**
 * What a Modbus bus needs from its physical line, serial RTU or TCP: a
 * modbus-serial client bound to it, the link state, and the line discipline
 * around each request.
 */
export interface ModbusLine {
  readonly client: ModbusClient;
  readonly isUp: boolean;
  start(): void;
  stop(): Promise<void>;
  onState(listener: Listener<LinkState>): void;
  /**
   * Clears stale input; returns a promise when the next request must wait
   * (RTU's silent interval), or undefined when it may be sent now, which saves
   * a promise hop per request.
   */
  beforeRequest(): Promise<void> | undefined;
}
