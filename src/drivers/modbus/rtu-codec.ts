import { GatewardenError } from '../../errors.js';
import { crc16, hasValidCrc } from './crc16.js';

/** The function codes the gateway uses (Application Protocol V1.1b3 §6). */
export const FUNCTION = {
  readDiscreteInputs: 2,
  readHoldingRegisters: 3,
  readInputRegisters: 4,
  writeSingleCoil: 5,
  writeSingleRegister: 6,
} as const;

/** Exception codes and their names (Application Protocol V1.1b3 §7). */
const EXCEPTIONS: Record<number, string> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/** Coil value ON in a write-single-coil request (§6.5); OFF is 0x0000. */
const COIL_ON = 0xff00;

/**
 * An RTU request frame: unit, function, a 16-bit address and a 16-bit word
 * (a quantity for reads, the value for single writes), CRC low byte first.
 * Every function the gateway uses has this shape (§6.2–6.6).
 */
export function encodeRequest(unitId: number, functionCode: number, address: number, word: number): Buffer {
  const frame = Buffer.allocUnsafe(8);
  frame[0] = unitId;
  frame[1] = functionCode;
  frame[2] = address >> 8;
  frame[3] = address & 0xff;
  frame[4] = word >> 8;
  frame[5] = word & 0xff;
  const crc = crc16(frame, 6);
  frame[6] = crc & 0xff;
  frame[7] = crc >> 8;
  return frame;
}

export function coilWord(on: boolean): number {
  return on ? COIL_ON : 0;
}

/**
 * Checks a reply that findReply took for `request` and returns its data bytes
 * (after the byte count of a read; the echoed address and value of a write).
 * A bad CRC, an exception reply or a write echo that differs is a
 * GW_DEVICE_PROTOCOL error.
 */
export function replyData(request: Uint8Array, reply: Buffer): Buffer {
  if (!hasValidCrc(reply)) throw new GatewardenError('GW_DEVICE_PROTOCOL', 'CRC error');
  const functionCode = reply[1]!;
  if (functionCode & 0x80) {
    const code = reply[2]!;
    throw new GatewardenError('GW_DEVICE_PROTOCOL', `Modbus exception ${code}: ${EXCEPTIONS[code] ?? 'unknown'}`);
  }
  if (functionCode === FUNCTION.writeSingleCoil || functionCode === FUNCTION.writeSingleRegister) {
    if (!reply.subarray(0, 6).equals(request.subarray(0, 6))) throw new GatewardenError('GW_DEVICE_PROTOCOL', 'write echo differs from the request');
    return reply.subarray(2, 6);
  }
  return reply.subarray(3, reply.length - 2);
}

/** Registers of a read reply's data, big-endian 16-bit words (§4.2). */
export function registersOf(data: Buffer): number[] {
  const registers: number[] = [];
  for (let offset = 0; offset + 1 < data.length; offset += 2) registers.push(data.readUInt16BE(offset));
  return registers;
}

/** The first `quantity` bits of a discrete-input reply's data, least significant bit first (§6.2). */
export function bitsOf(data: Buffer, quantity: number): boolean[] {
  const bits: boolean[] = [];
  for (let index = 0; index < quantity; index += 1) bits.push(((data[index >> 3]! >> (index & 7)) & 1) === 1);
  return bits;
}
