import type { ModbusClient } from './modbus-client.js';
import { bitsOf, coilWord, encodeRequest, FUNCTION, registersOf, replyData } from './rtu-codec.js';

/** Sends one request frame and resolves with the reply frame the line took for it, or rejects with a coded error. */
export type Transact = (request: Buffer, timeoutMs: number) => Promise<Buffer>;

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

  async readHoldingRegisters(address: number, quantity: number): Promise<{ data: number[] }> {
    return { data: registersOf(await this.request(FUNCTION.readHoldingRegisters, address, quantity)) };
  }

  async readInputRegisters(address: number, quantity: number): Promise<{ data: number[] }> {
    return { data: registersOf(await this.request(FUNCTION.readInputRegisters, address, quantity)) };
  }

  async readDiscreteInputs(address: number, quantity: number): Promise<{ data: boolean[] }> {
    return { data: bitsOf(await this.request(FUNCTION.readDiscreteInputs, address, quantity), quantity) };
  }

  async writeCoil(address: number, on: boolean): Promise<void> {
    await this.request(FUNCTION.writeSingleCoil, address, coilWord(on));
  }

  async writeRegister(address: number, value: number): Promise<void> {
    await this.request(FUNCTION.writeSingleRegister, address, value);
  }

  private async request(functionCode: number, address: number, word: number): Promise<Buffer> {
    const request = encodeRequest(this.unitId, functionCode, address, word);
    return replyData(request, await this.transact(request, this.timeoutMs));
  }
}
