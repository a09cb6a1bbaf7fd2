import { describe, expect, it } from 'vitest';
import { GatewardenError } from '../../../src/errors.js';
import { withCrc } from '../../../src/drivers/modbus/crc16.js';
import { bitsOf, coilWord, encodeRequest, FUNCTION, registersOf, replyData } from '../../../src/drivers/modbus/rtu-codec.js';

const hex = (text: string) => Buffer.from(text.replace(/\s/g, ''), 'hex');

function protocolError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewardenError);
    expect((error as GatewardenError).code).toBe('GW_DEVICE_PROTOCOL');
    return (error as GatewardenError).message;
  }
  throw new Error('expected a protocol error');
}

describe('RTU requests, byte for byte', () => {
  it('reads holding registers as in the worked example of Serial Line V1.02', () => {
    expect(encodeRequest(1, FUNCTION.readHoldingRegisters, 0, 1)).toEqual(hex('01 03 00 00 00 01 84 0A'));
  });

  it('reads input registers and discrete inputs at a 16-bit address, high byte first', () => {
    expect(encodeRequest(0x11, FUNCTION.readInputRegisters, 0x0108, 2)).toEqual(withCrc(hex('11 04 01 08 00 02')));
    expect(encodeRequest(0x11, FUNCTION.readDiscreteInputs, 0x00c4, 0x16)).toEqual(withCrc(hex('11 02 00 C4 00 16')));
  });

  it('writes a coil as FF00 (on) or 0000 (off) and a register as its value (Application Protocol §6.5, §6.6)', () => {
    expect(encodeRequest(0x11, FUNCTION.writeSingleCoil, 0x00ac, coilWord(true))).toEqual(withCrc(hex('11 05 00 AC FF 00')));
    expect(encodeRequest(0x11, FUNCTION.writeSingleCoil, 0x00ac, coilWord(false))).toEqual(withCrc(hex('11 05 00 AC 00 00')));
    expect(encodeRequest(0x11, FUNCTION.writeSingleRegister, 0x0001, 0x0003)).toEqual(withCrc(hex('11 06 00 01 00 03')));
  });
});

describe('RTU replies', () => {
  const readTwo = encodeRequest(1, FUNCTION.readHoldingRegisters, 0x6b, 2);

  it('gives the registers of a read, big-endian words', () => {
    const data = replyData(readTwo, withCrc(hex('01 03 04 02 2B 00 64')));
    expect(registersOf(data)).toEqual([0x022b, 0x0064]);
  });

  it('gives discrete inputs least significant bit first, only as many as asked', () => {
    const request = encodeRequest(1, FUNCTION.readDiscreteInputs, 0xc4, 10);
    const data = replyData(request, withCrc(hex('01 02 02 AC 01')));
    // 0xAC = 1010 1100: inputs 0-7 are 0,0,1,1,0,1,0,1; 0x01: input 8 is on, 9 off.
    expect(bitsOf(data, 10)).toEqual([false, false, true, true, false, true, false, true, true, false]);
  });

  it('accepts a write that echoes the request', () => {
    const request = encodeRequest(1, FUNCTION.writeSingleCoil, 0xac, coilWord(true));
    expect(replyData(request, Buffer.from(request))).toEqual(hex('00 AC FF 00'));
  });

  it('refuses a bad CRC, an exception and a write echo that differs, as protocol errors', () => {
    const corrupted = withCrc(hex('01 03 04 02 2B 00 64'));
    corrupted[4]! ^= 0x01;
    expect(protocolError(() => replyData(readTwo, corrupted))).toBe('CRC error');
    expect(protocolError(() => replyData(readTwo, withCrc(hex('01 83 02'))))).toBe('Modbus exception 2: illegal data address');
    expect(protocolError(() => replyData(readTwo, withCrc(hex('01 83 07'))))).toBe('Modbus exception 7: unknown');
    const write = encodeRequest(1, FUNCTION.writeSingleRegister, 1, 3);
    expect(protocolError(() => replyData(write, withCrc(hex('01 06 00 01 00 04'))))).toBe('write echo differs from the request');
  });
});
