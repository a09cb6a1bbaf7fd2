/**
 * Decoding of Modbus register values as a profile describes them. Modbus itself
 * only defines 16-bit registers sent big-endian (MODBUS Application Protocol
 * V1.1b3 §4.2); how 32-bit values span two registers is up to the vendor, hence
 * the explicit byte and word order in every profile.
 */
export type RegisterType = 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32';
export type ByteOrder = 'big' | 'little';

export interface RegisterFormat {
  type: RegisterType;
  /** Order of the two bytes inside each register; `big` is the Modbus default. */
  byteOrder: ByteOrder;
  /** `big`: the first register holds the high word; `little`: the low word. */
  wordOrder: ByteOrder;
  scale: number;
  offset: number;
}

export function registerCount(type: RegisterType): 1 | 2 {
  return type === 'int16' || type === 'uint16' ? 1 : 2;
}

/** Registers as read (in address order) → engineering value (`raw × scale + offset`). */
export function decodeRegisters(registers: readonly number[], format: RegisterFormat): number {
  const bytes = toBigEndianBytes(registers, format);
  return readRaw(bytes, format.type) * format.scale + format.offset;
}

/** Engineering value → registers in address order; the inverse of `decodeRegisters` (simulators use it). */
export function encodeRegisters(value: number, format: RegisterFormat): number[] {
  const raw = (value - format.offset) / format.scale;
  const bytes = Buffer.alloc(registerCount(format.type) * 2);
  writeRaw(bytes, format.type, raw);
  return fromBigEndianBytes(bytes, format);
}

function toBigEndianBytes(registers: readonly number[], format: RegisterFormat): Buffer {
  const count = registerCount(format.type);
  if (registers.length < count) throw new RangeError(`${format.type} needs ${count} registers, got ${registers.length}`);
  const words = registers.slice(0, count);
  if (format.wordOrder === 'little') words.reverse();
  const bytes = Buffer.alloc(count * 2);
  words.forEach((word, index) => {
    const swapped = format.byteOrder === 'little' ? ((word & 0xff) << 8) | (word >> 8) : word;
    bytes.writeUInt16BE(swapped & 0xffff, index * 2);
  });
  return bytes;
}

function fromBigEndianBytes(bytes: Buffer, format: RegisterFormat): number[] {
  const words: number[] = [];
  for (let index = 0; index < bytes.length; index += 2) {
    const word = bytes.readUInt16BE(index);
    words.push(format.byteOrder === 'little' ? ((word & 0xff) << 8) | (word >> 8) : word);
  }
  if (format.wordOrder === 'little') words.reverse();
  return words;
}

function readRaw(bytes: Buffer, type: RegisterType): number {
  switch (type) {
    case 'int16':
      return bytes.readInt16BE(0);
    case 'uint16':
      return bytes.readUInt16BE(0);
    case 'int32':
      return bytes.readInt32BE(0);
    case 'uint32':
      return bytes.readUInt32BE(0);
    case 'float32':
      return bytes.readFloatBE(0);
  }
}

function writeRaw(bytes: Buffer, type: RegisterType, raw: number): void {
  switch (type) {
    case 'int16':
      bytes.writeInt16BE(Math.round(raw), 0);
      return;
    case 'uint16':
      bytes.writeUInt16BE(Math.round(raw), 0);
      return;
    case 'int32':
      bytes.writeInt32BE(Math.round(raw), 0);
      return;
    case 'uint32':
      bytes.writeUInt32BE(Math.round(raw), 0);
      return;
    case 'float32':
      bytes.writeFloatBE(raw, 0);
      return;
  }
}
