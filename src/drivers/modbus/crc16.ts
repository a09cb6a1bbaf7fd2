/**
 * The CRC of each byte value: one table lookup per byte instead of eight
 * shift-and-xor steps, as every request and reply is checked on the
 * gateway's read path (issue 14).
 */
const TABLE = Uint16Array.from({ length: 256 }, (_, byte) => {
  let crc = byte;
  for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  return crc;
});

/**
 * CRC-16/MODBUS (polynomial 0xA001 reflected, initial 0xFFFF) of the first
 * `length` bytes, as specified in "MODBUS over Serial Line" V1.02 §6.2.2.
 * The result goes on the wire low byte first.
 */
export function crc16(bytes: Uint8Array, length = bytes.length): number {
  let crc = 0xffff;
  for (let index = 0; index < length; index += 1) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[index]!) & 0xff]!;
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
  return received === crc16(frame, frame.length - 2);
}
