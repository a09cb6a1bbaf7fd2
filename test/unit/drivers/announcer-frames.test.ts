import { describe, expect, it } from 'vitest';
import { cutFrame, ModuleFrameReader, playFrame, volumeFrame, type ModuleFrame, type ModuleProtocol } from '../../../src/drivers/announcer/announcer-frames.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const DF = { protocol: 'dfplayer', checksum: true } as const;
const DF_UNCHECKED = { protocol: 'dfplayer', checksum: false } as const;
const JQ = { protocol: 'jq8900', checksum: true } as const;

describe('voice module command frames, byte for byte', () => {
  it.each([
    // DFPlayer Mini manual §3.2: the worked example "7E FF 06 03 00 00 01 FE F7 EF" plays track 1.
    ['DFPlayer play 1, checksummed', playFrame(DF, 1), '7E FF 06 03 00 00 01 FE F7 EF'],
    ['DFPlayer play 300 (two-byte track)', playFrame(DF, 300), '7E FF 06 03 00 01 2C FE CB EF'],
    ['DFPlayer play 5, no checksum', playFrame(DF_UNCHECKED, 5), '7E FF 06 03 00 00 05 EF'],
    ['DFPlayer volume 25', volumeFrame(DF, 25), '7E FF 06 06 00 00 19 FE DC EF'],
    // JQ8900 manual §3.3: "AA 07 02 00 08 BB" plays track 8; SM is the low byte of the sum.
    ['JQ8900 play 8', playFrame(JQ, 8), 'AA 07 02 00 08 BB'],
    ['JQ8900 play 300', playFrame(JQ, 300), 'AA 07 02 01 2C E0'],
    ['JQ8900 volume 20', volumeFrame(JQ, 20), 'AA 13 01 14 D2'],
  ])('%s', (_name, frame, expected) => {
    expect(frame.toString('hex').toUpperCase()).toBe(hex(expected).toString('hex').toUpperCase());
  });
});

function read(protocol: ModuleProtocol, chunks: Buffer[]): { frames: ModuleFrame[]; discarded: number } {
  const frames: ModuleFrame[] = [];
  let discarded = 0;
  const reader = new ModuleFrameReader(protocol, (frame) => frames.push(frame), (bytes) => (discarded += bytes));
  for (const chunk of chunks) reader.push(chunk);
  return { frames, discarded };
}

describe('reading what a module sends', () => {
  const initialised = hex('7E FF 06 3F 00 00 02 FE BA EF');
  const finished = hex('7E FF 06 3D 00 00 02 FE BC EF');
  const badChecksum = hex('7E FF 06 3D 00 00 02 00 00 EF');

  it('cuts frames split at every byte', () => {
    const bytes = Buffer.concat([initialised, finished]);
    const { frames, discarded } = read('dfplayer', [...bytes].map((byte) => Buffer.of(byte)));
    expect(frames).toEqual([{ command: 0x3f, param: 2 }, { command: 0x3d, param: 2 }]);
    expect(discarded).toBe(0);
  });

  it('skips and counts leading garbage and a frame whose checksum is wrong', () => {
    const { frames, discarded } = read('dfplayer', [Buffer.concat([hex('01 02 03'), initialised, badChecksum, finished])]);
    expect(frames).toEqual([{ command: 0x3f, param: 2 }, { command: 0x3d, param: 2 }]);
    expect(discarded).toBe(3 + badChecksum.length);
  });

  it('reads the gateway’s own frames, checksummed or not (the simulator decodes them)', () => {
    const { frames } = read('dfplayer', [playFrame(DF_UNCHECKED, 7), playFrame(DF, 2999)]);
    expect(frames).toEqual([{ command: 0x03, param: 7 }, { command: 0x03, param: 2999 }]);
  });

  it('reads JQ8900 frames and drops a wrong sum or an impossible length', () => {
    const { frames, discarded } = read('jq8900', [Buffer.concat([hex('AA 07 02 00 08 BC'), hex('AA 07 7F'), playFrame(JQ, 3), volumeFrame(JQ, 20)])]);
    expect(frames).toEqual([{ command: 0x07, param: 3 }, { command: 0x13, param: 20 }]);
    expect(discarded).toBe(6 + 3);
  });

  it('waits for the rest of a frame', () => {
    expect(cutFrame('dfplayer', initialised.subarray(0, 9))).toBe('more');
    expect(cutFrame('jq8900', hex('AA 07 02 00'))).toBe('more');
  });
});
