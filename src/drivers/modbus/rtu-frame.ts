import { hasValidCrc } from './crc16.js';

/** What the master waits for after a request: the unit, the function and the full frame length. */
export interface ReplyExpectation {
  unitId: number;
  functionCode: number;
  length: number;
  /** Byte count announced by a read reply, checked to reject look-alike frames. */
  byteCount?: number;
}

/** An exception reply: address, function | 0x80, exception code, CRC (Application Protocol §7). */
const EXCEPTION_LENGTH = 5;

/**
 * The reply a request calls for (Application Protocol V1.1b3 §6.1–6.12), or
 * undefined for functions the gateway does not use.
 */
export function expectReply(request: Uint8Array): ReplyExpectation | undefined {
  if (request.length < 8) return undefined;
  const unitId = request[0]!;
  const functionCode = request[1]!;
  const quantity = (request[4]! << 8) | request[5]!;
  switch (functionCode) {
    case 1:
    case 2: {
      const byteCount = Math.ceil(quantity / 8);
      return { unitId, functionCode, length: 3 + byteCount + 2, byteCount };
    }
    case 3:
    case 4:
      return { unitId, functionCode, length: 3 + 2 * quantity + 2, byteCount: 2 * quantity };
    case 5:
    case 6:
    case 15:
    case 16:
      return { unitId, functionCode, length: 8 };
    default:
      return undefined;
  }
}

/**
 * Finds the reply in the bytes received since the request was sent. A
 * candidate must carry the expected unit, function and byte count and a valid
 * CRC; bytes before it (line noise, another unit's late reply) are skipped.
 * A complete candidate with a bad CRC right at the start is returned as is, so
 * the client reports the CRC error instead of waiting for its timeout.
 */
export function findReply(buffer: Buffer, expected: ReplyExpectation): Buffer | undefined {
  for (let start = 0; start + EXCEPTION_LENGTH <= buffer.length; start += 1) {
    if (buffer[start] !== expected.unitId) continue;
    const length = candidateLength(buffer, start, expected);
    if (length === undefined || start + length > buffer.length) continue;
    const frame = buffer.subarray(start, start + length);
    if (hasValidCrc(frame) || start === 0) return Buffer.from(frame);
  }
  return undefined;
}

function candidateLength(buffer: Buffer, start: number, expected: ReplyExpectation): number | undefined {
  const functionCode = buffer[start + 1];
  if (functionCode === (expected.functionCode | 0x80)) return EXCEPTION_LENGTH;
  if (functionCode !== expected.functionCode) return undefined;
  if (expected.byteCount !== undefined && buffer[start + 2] !== expected.byteCount) return undefined;
  return expected.length;
}

/**
 * The silent interval that separates RTU frames: 3.5 character times, fixed at
 * 1.75 ms above 19200 baud ("MODBUS over Serial Line" V1.02 §2.5.1.1). A
 * character is 11 bits (start, 8 data, parity or second stop, stop).
 */
export function silentIntervalMs(baudRate: number): number {
  return baudRate > 19_200 ? 1.75 : (3.5 * 11 * 1000) / baudRate;
}
