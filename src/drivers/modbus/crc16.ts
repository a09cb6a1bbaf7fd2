/**
 * CRC-16/MODBUS (polynomial 0xA001 reflected, initial 0xFFFF), as specified in
 * "MODBUS over Serial Line" V1.02 §6.2.2. The result goes on the wire low byte first.
 */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) {
      crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
    }
  }
  return crc;
}

/** Appends the CRC to a frame body (address, function, data). */
export function withCrc(body: Uint8Array): Buffer {
  const frame = Buffer.alloc(body.length + 2);
  frame.set(body);
  frame.writeUInt16LE(crc16(body), body.length);
  return frame;
}

export function hasValidCrc(frame: Uint8Array): boolean {
  if (frame.length < 4) return false;
  const received = frame[frame.length - 2]! | (frame[frame.length - 1]! << 8);
  return received === crc16(frame.subarray(0, frame.length - 2));
}
