/**
 * The Modbus requests the gateway's devices make, on whichever line: our own
 * RTU client (rtu-client.ts) on serial lines, modbus-serial's client on TCP,
 * which has these methods with these results.
 */
export interface ModbusClient {
  setID(unitId: number): void;
  setTimeout(timeoutMs: number): void;
  readHoldingRegisters(address: number, quantity: number): Promise<{ data: number[] }>;
  readInputRegisters(address: number, quantity: number): Promise<{ data: number[] }>;
  readDiscreteInputs(address: number, quantity: number): Promise<{ data: boolean[] }>;
  writeCoil(address: number, on: boolean): Promise<unknown>;
  writeRegister(address: number, value: number): Promise<unknown>;
}
