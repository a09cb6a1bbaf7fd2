import type { Transform } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RegexFramer } from '../../../src/drivers/serial/regex-framer.js';
import { TerminatorFramer } from '../../../src/drivers/serial/terminator-framer.js';

/** Feeds raw chunks and returns the frames as latin1 strings, plus the discarded byte count. */
function run(make: (onDiscard: (reason: string, bytes: number) => void) => Transform, chunks: (string | Buffer)[]) {
  let discarded = 0;
  const framer = make((_reason, bytes) => (discarded += bytes));
  const frames: string[] = [];
  framer.on('data', (frame: Buffer) => frames.push(frame.toString('latin1')));
  for (const chunk of chunks) framer.write(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk);
  return { frames, discarded };
}

const qr = (onDiscard: (reason: string, bytes: number) => void) =>
  new TerminatorFramer({ terminator: Buffer.from('\r'), prefix: Buffer.from(']Q1'), maxFrameLength: 16, onDiscard });

describe('TerminatorFramer', () => {
  it('joins a frame split over chunks, byte by byte', () => {
    expect(run(qr, [...']Q1HP1:abc\r']).frames).toEqual(['HP1:abc']);
  });

  it('cuts two frames out of one chunk', () => {
    expect(run(qr, [']Q1one\r]Q1two\r']).frames).toEqual(['one', 'two']);
  });

  it('drops leading garbage before the prefix (resynchronisation)', () => {
    const { frames, discarded } = run(qr, [Buffer.of(0xff, 0x00, 0x13), ']Q1code\r', 'junk\r', ']Q1next\r']);
    expect(frames).toEqual(['code', 'next']);
    // The three bytes before the first prefix and the unprefixed 'junk' with its terminator are all counted as noise.
    expect(discarded).toBe(8);
  });

  it('drops an overlong frame up to the next terminator and keeps the following one', () => {
    const { frames, discarded } = run(qr, [']Q1' + 'x'.repeat(20), 'y'.repeat(10), '\r]Q1ok\r']);
    expect(frames).toEqual(['ok']);
    expect(discarded).toBe(34);
  });

  it('drops an overlong frame that arrives in one piece', () => {
    expect(run(qr, [']Q1' + 'z'.repeat(30) + '\r]Q1ok\r']).frames).toEqual(['ok']);
  });

  it('handles a CRLF terminator split between chunks, and strips a suffix', () => {
    const crlf = (onDiscard: (reason: string, bytes: number) => void) =>
      new TerminatorFramer({ terminator: Buffer.from('\r\n'), suffix: Buffer.from('#'), maxFrameLength: 16, onDiscard });
    expect(run(crlf, ['OK#\r', '\nPASS#\r\nbad\r\n']).frames).toEqual(['OK', 'PASS']);
  });

  it('frames on a custom byte (STX … ETX)', () => {
    const card = (onDiscard: (reason: string, bytes: number) => void) =>
      new TerminatorFramer({ terminator: Buffer.of(3), prefix: Buffer.of(2), maxFrameLength: 32, onDiscard });
    expect(run(card, [Buffer.from('\x0204A1B2C3\x03\x02DEAD', 'latin1'), Buffer.from('BEEF\x03', 'latin1')]).frames).toEqual(['04A1B2C3', 'DEADBEEF']);
  });
});

describe('RegexFramer', () => {
  const push = (onDiscard: (reason: string, bytes: number) => void) =>
    new RegexFramer({ pattern: /T=(?<value>-?\d{1,3}\.\d{1,2})\r\n/, maxFrameLength: 32, onDiscard });

  it('frames matches split over chunks and several in one chunk', () => {
    expect(run(push, ['T=36', '.5\r', '\nT=36.6\r\nT=37.0\r\n']).frames).toEqual(['T=36.5\r\n', 'T=36.6\r\n', 'T=37.0\r\n']);
  });

  it('drops noise before a match', () => {
    const { frames, discarded } = run(push, [Buffer.of(0xfe, 0x41, 0x0d), 'T=36.5\r\n']);
    expect(frames).toEqual(['T=36.5\r\n']);
    expect(discarded).toBe(3);
  });

  it('never keeps more than maxFrameLength characters while waiting', () => {
    const { frames, discarded } = run(push, ['#'.repeat(100), 'T=36.9\r\n']);
    expect(frames).toEqual(['T=36.9\r\n']);
    expect(discarded).toBe(100);
  });
});

describe('TerminatorFramer resynchronisation at the prefix', () => {
  it('picks a frame up at its prefix right after an overlong run without a terminator', () => {
    const { frames } = run(qr, ['A'.repeat(40), ']Q', '1next\r']);
    expect(frames).toEqual(['next']);
  });
});
