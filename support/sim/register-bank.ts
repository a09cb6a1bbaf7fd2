import { pushBounded } from './bounded-log.js';

export interface BankWrite {
  functionCode: number;
  address: number;
  value: number;
}

/**
 * The data model of one simulated Modbus unit (Application Protocol V1.1b3
 * §4.3: coils, discrete inputs, input registers, holding registers) and the
 * PDU handling for the functions the gateway uses. Unset addresses read 0.
 */
export class RegisterBank {
  readonly coils = new Map<number, boolean>();
  readonly discreteInputs = new Map<number, boolean>();
  readonly holding = new Map<number, number>();
  readonly input = new Map<number, number>();
  /** The writes received, in order (the last SIM_LOG_LIMIT), for tests to inspect. */
  readonly writes: BankWrite[] = [];
  /** Hears every write as it arrives (a simulated person walking through an opened barrier). */
  onWrite: ((write: BankWrite) => void) | undefined;

  setRegisters(table: 'holding' | 'input', address: number, values: readonly number[]): void {
    values.forEach((value, index) => this[table].set(address + index, value & 0xffff));
  }

  /** Request PDU (function code and data) → response PDU, or an exception PDU (§7). */
  handle(pdu: Buffer): Buffer {
    const functionCode = pdu[0]!;
    const address = pdu.readUInt16BE(1);
    const value = pdu.readUInt16BE(3);
    switch (functionCode) {
      case 1:
        return bits(functionCode, this.coils, address, value);
      case 2:
        return bits(functionCode, this.discreteInputs, address, value);
      case 3:
        return words(functionCode, this.holding, address, value);
      case 4:
        return words(functionCode, this.input, address, value);
      case 5:
        this.coils.set(address, value === 0xff00);
        this.written({ functionCode, address, value });
        return Buffer.from(pdu.subarray(0, 5));
      case 6:
        this.holding.set(address, value);
        this.written({ functionCode, address, value });
        return Buffer.from(pdu.subarray(0, 5));
      default:
        // Exception 01: illegal function.
        return Buffer.of(functionCode | 0x80, 1);
    }
  }

  private written(write: BankWrite): void {
    pushBounded(this.writes, write);
    this.onWrite?.(write);
  }
}

function bits(functionCode: number, table: Map<number, boolean>, address: number, count: number): Buffer {
  const bytes = Buffer.alloc(Math.ceil(count / 8));
  for (let index = 0; index < count; index += 1) {
    if (table.get(address + index)) bytes[index >> 3]! |= 1 << (index & 7);
  }
  return Buffer.concat([Buffer.of(functionCode, bytes.length), bytes]);
}

function words(functionCode: number, table: Map<number, number>, address: number, count: number): Buffer {
  const bytes = Buffer.alloc(count * 2);
  for (let index = 0; index < count; index += 1) bytes.writeUInt16BE(table.get(address + index) ?? 0, index * 2);
  return Buffer.concat([Buffer.of(functionCode, bytes.length), bytes]);
}
