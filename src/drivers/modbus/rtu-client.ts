import type { ModbusClient } from './modbus-client.js';
import { bitsOf, coilWord, encodeRequest, FUNCTION, registersOf, replyData } from './rtu-codec.js';

/**
 * Sends one request frame and resolves with `decode` of the reply frame the
 * line took for it, or rejects with a coded error or the error `decode` threw.
 */
export type Transact = <T>(request: Buffer, timeoutMs: number, decode: (reply: Buffer) => T) => Promise<T>;

/**
 * Modbus RTU requests for one line, encoded and decoded here (rtu-codec.ts);
 * the line sends them and picks the reply out of what it receives. It
 * replaced modbus-serial on serial lines, whose request and reply handling
 * was about half of the driver's own time per read (issue 14).
 */
export class RtuClient implements ModbusClient {
  private unitId = 1;
  private timeoutMs = 1000;

  constructor(private readonly transact: Transact) {}

  setID(unitId: number): void {
    this.unitId = unitId;
  }

  setTimeout(timeoutMs: number): void {
    this.timeoutMs = timeoutMs;
  }

  readHoldingRegisters(address: number, quantity: number): Promise<{ data: number[] }> {
    return this.request(FUNCTION.readHoldingRegisters, address, quantity, (data) => ({ data: registersOf(data) }));
  }

  readInputRegisters(address: number, quantity: number): Promise<{ data: number[] }> {
    return this.request(FUNCTION.readInputRegisters, address, quantity, (data) => ({ data: registersOf(data) }));
  }

  readDiscreteInputs(address: number, quantity: number): Promise<{ data: boolean[] }> {
    return this.request(FUNCTION.readDiscreteInputs, address, quantity, (data) => ({ data: bitsOf(data, quantity) }));
  }

  writeCoil(address: number, on: boolean): Promise<void> {
    return this.request(FUNCTION.writeSingleCoil, address, coilWord(on), () => undefined);
  }

  writeRegister(address: number, value: number): Promise<void> {
    return this.request(FUNCTION.writeSingleRegister, address, value, () => undefined);
  }

  /** The line decodes the reply as it takes it: an async step here was a promise hop on every read (issue 14). */
  private request<T>(functionCode: number, address: number, word: number, decode: (data: Buffer) => T): Promise<T> {
    const request = encodeRequest(this.unitId, functionCode, address, word);
    return this.transact(request, this.timeoutMs, (reply) => decode(replyData(request, reply)));
  }
}
