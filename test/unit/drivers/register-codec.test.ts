import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRegisters, encodeRegisters, type RegisterFormat } from '../../../src/drivers/modbus/register-codec.js';

const format = (overrides: Partial<RegisterFormat>): RegisterFormat => ({ type: 'int16', byteOrder: 'big', wordOrder: 'big', scale: 1, offset: 0, ...overrides });

describe('decodeRegisters', () => {
  it.each([
    ['int16 x0.1', [0x016d], format({ scale: 0.1 }), 36.5],
    ['negative int16', [0xfff6], format({ scale: 0.1 }), -1],
    ['uint16 with offset', [400], format({ type: 'uint16', scale: 0.1, offset: -3.5 }), 36.5],
    ['int16, little-endian bytes', [0x6d01], format({ scale: 0.1, byteOrder: 'little' }), 36.5],
    // 36.5 as IEEE-754 single is 0x42120000.
    ['float32 ABCD', [0x4212, 0x0000], format({ type: 'float32' }), 36.5],
    ['float32 CDAB (low word first)', [0x0000, 0x4212], format({ type: 'float32', wordOrder: 'little' }), 36.5],
    ['float32 BADC', [0x1242, 0x0000], format({ type: 'float32', byteOrder: 'little' }), 36.5],
    ['float32 DCBA', [0x0000, 0x1242], format({ type: 'float32', byteOrder: 'little', wordOrder: 'little' }), 36.5],
    ['int32 negative, low word first', [0xfffe, 0xffff], format({ type: 'int32', wordOrder: 'little' }), -2],
    ['uint32 x0.01', [0x0000, 0x0e42], format({ type: 'uint32', scale: 0.01 }), 36.5],
  ])('%s', (_name, registers, spec, expected) => {
    expect(decodeRegisters(registers, spec)).toBeCloseTo(expected, 5);
  });

  it('refuses too few registers', () => {
    expect(() => decodeRegisters([1], format({ type: 'float32' }))).toThrow(RangeError);
  });

  it('inverts encodeRegisters for every type and order', () => {
    const spec = fc.record({
      type: fc.constantFrom('int16', 'uint16', 'int32', 'uint32', 'float32' as const),
      byteOrder: fc.constantFrom('big', 'little' as const),
      wordOrder: fc.constantFrom('big', 'little' as const),
    });
    fc.assert(
      fc.property(spec, fc.integer({ min: 0, max: 3000 }), (order, tenths) => {
        const registerFormat = format({ ...order, scale: 0.1 });
        const registers = encodeRegisters(tenths / 10, registerFormat);
        expect(registers.every((word) => word >= 0 && word <= 0xffff)).toBe(true);
        expect(decodeRegisters(registers, registerFormat)).toBeCloseTo(tenths / 10, 3);
      }),
    );
  });
});
