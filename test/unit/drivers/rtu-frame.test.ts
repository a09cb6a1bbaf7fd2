import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc16, hasValidCrc, withCrc } from '../../../src/drivers/modbus/crc16.js';
import { expectReply, findReply, silentIntervalMs } from '../../../src/drivers/modbus/rtu-frame.js';

const hex = (text: string) => Buffer.from(text.replace(/\s/g, ''), 'hex');

describe('crc16', () => {
  it('matches the worked example of Serial Line V1.02 (read holding register 0 of unit 1)', () => {
    expect(withCrc(hex('01 03 00 00 00 01'))).toEqual(hex('01 03 00 00 00 01 84 0A'));
    expect(crc16(hex('01 03 00 00 00 01'))).toBe(0x0a84);
    expect(hasValidCrc(hex('01 03 00 00 00 01 84 0B'))).toBe(false);
  });

  it('gives the bit-by-bit CRC of §6.2.2 for any bytes, or for the first `length` of them', () => {
    const bitByBit = (bytes: Uint8Array) => {
      let crc = 0xffff;
      for (const byte of bytes) {
        crc ^= byte;
        for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
      }
      return crc;
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, cut) => {
        expect(crc16(bytes)).toBe(bitByBit(bytes));
        const length = bytes.length === 0 ? 0 : cut % bytes.length;
        expect(crc16(bytes, length)).toBe(bitByBit(bytes.subarray(0, length)));
      }),
    );
  });
});

describe('findReply', () => {
  const request = withCrc(hex('02 03 00 00 00 01'));
  const expected = expectReply(request)!;
  const reply = withCrc(hex('02 03 02 01 6D'));

  it('expects unit, function and length from the request', () => {
    expect(expected).toEqual({ unitId: 2, functionCode: 3, length: 7, byteCount: 2 });
    expect(expectReply(withCrc(hex('03 05 00 00 FF 00')))).toEqual({ unitId: 3, functionCode: 5, length: 8 });
    expect(expectReply(withCrc(hex('03 02 00 00 00 09')))).toMatchObject({ length: 7, byteCount: 2 });
  });

  it('waits for a complete frame', () => {
    expect(findReply(reply.subarray(0, 5), expected)).toBeUndefined();
    expect(findReply(reply, expected)).toEqual(reply);
  });

  it('skips noise and another unit’s late reply in front of the answer', () => {
    const otherUnit = withCrc(hex('01 03 02 01 70'));
    expect(findReply(Buffer.concat([hex('FF 00'), otherUnit, reply]), expected)).toEqual(reply);
  });

  it('does not take a look-alike with a different byte count or a bad CRC inside the buffer', () => {
    const wrongCount = withCrc(hex('02 03 04 00 00 00 00'));
    expect(findReply(Buffer.concat([hex('00'), wrongCount]), expected)).toBeUndefined();
    const corrupted = Buffer.from(reply);
    corrupted[6]! ^= 0xff;
    expect(findReply(Buffer.concat([hex('00'), corrupted]), expected)).toBeUndefined();
  });

  it('returns a bad-CRC frame at the very start, so the client reports a CRC error', () => {
    const corrupted = Buffer.from(reply);
    corrupted[6]! ^= 0xff;
    expect(findReply(corrupted, expected)).toEqual(corrupted);
  });

  it('accepts an exception reply', () => {
    const exception = withCrc(hex('02 83 02'));
    expect(findReply(exception, expected)).toEqual(exception);
  });
});

describe('silentIntervalMs', () => {
  it('is 3.5 character times up to 19200 baud and 1.75 ms above (§2.5.1.1)', () => {
    expect(silentIntervalMs(9600)).toBeCloseTo(4.01, 2);
    expect(silentIntervalMs(115_200)).toBe(1.75);
  });
});
