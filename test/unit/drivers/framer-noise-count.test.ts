import type { Transform } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RegexFramer } from '../../../src/drivers/serial/regex-framer.js';
import { TerminatorFramer, type TerminatorFraming } from '../../../src/drivers/serial/terminator-framer.js';

/**
 * The serial noise counter is byte-exact (issue 12: 5.5 MB counted as
 * discarded out of 4.2 MB sent). Every byte written is either in a frame
 * handed on, with its prefix, suffix and terminator, or counted as discarded
 * exactly once: after end() the two add up to what was sent.
 */

interface Tally {
  sent: number;
  discarded: number;
  framed: number;
  frames: string[];
}

function feed(framer: Transform, overhead: number, chunks: readonly Buffer[], onDiscard: { total: number }): Tally {
  const frames: string[] = [];
  let framed = 0;
  framer.on('data', (frame: Buffer) => {
    frames.push(frame.toString('latin1'));
    framed += frame.length + overhead;
  });
  let sent = 0;
  for (const chunk of chunks) {
    sent += chunk.length;
    framer.write(chunk);
  }
  framer.end();
  return { sent, discarded: onDiscard.total, framed, frames };
}

function terminator(framing: Omit<TerminatorFraming, 'onDiscard'>, chunks: readonly (string | Buffer)[]): Tally {
  const counter = { total: 0 };
  const framer = new TerminatorFramer({ ...framing, onDiscard: (_reason, bytes) => (counter.total += bytes) });
  const overhead = (framing.prefix?.length ?? 0) + (framing.suffix?.length ?? 0) + framing.terminator.length;
  return feed(framer, overhead, chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'latin1') : c)), counter);
}

const QR = { terminator: Buffer.from('\r'), prefix: Buffer.from(']Q1'), maxFrameLength: 16 };
const CARD = { terminator: Buffer.of(3), prefix: Buffer.of(2), maxFrameLength: 32 };

/** A fixed pseudo-random stream (LCG): noise tokens, stray prefixes and terminators, real frames, overlong runs. */
function noisyStream(seed: number, tokens: readonly string[], bytes: number, maxChunk: number): Buffer[] {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
  const chunks: Buffer[] = [];
  for (let total = 0; total < bytes; ) {
    let text = '';
    const size = 1 + next(maxChunk);
    while (text.length < size) text += tokens[next(tokens.length)];
    chunks.push(Buffer.from(text, 'latin1'));
    total += text.length;
  }
  return chunks;
}

describe('serial noise counter: byte-exact (issue 12)', () => {
  it('counts noise before a prefix once when the frame behind it is overlong, all in one chunk', () => {
    const noise = 'garbage!';
    const tally = terminator(QR, [`${noise}]Q1${'x'.repeat(40)}\r`]);
    expect(tally.frames).toEqual([]);
    // 8 + 3 + 40 + 1 bytes sent, all dropped: before the fix 8 + 51 were counted.
    expect(tally.discarded).toBe(52);
  });

  it('counts the noise before a good frame, and nothing of the frame', () => {
    const tally = terminator(QR, ['\x00\xff]Q', ']Q1HP1:abc\r']);
    expect(tally.frames).toEqual(['HP1:abc']);
    expect(tally.discarded).toBe(4);
  });

  it('counts a dropped segment with its terminator, an empty line, and what never got a terminator', () => {
    const tally = terminator(QR, ['junk\r', '\r', ']Q1\r', ']Q1ok\r', 'tail']);
    expect(tally.frames).toEqual(['ok']);
    expect(tally.discarded).toBe(5 + 1 + 4 + 4);
  });

  const tokens = {
    qr: ['x', 'yz', 'q'.repeat(40), 'w'.repeat(300), ']Q1', ']Q', '\r', ']Q1HP1:abc\r', ']Q1' + 'o'.repeat(20) + '\r'],
    card: ['x', '\x00\xff', 'n'.repeat(50), '\x02', '\x03', '\x0204AABBCCDD\x03', '\x02' + 'F'.repeat(40) + '\x03'],
  };

  for (const [name, framing, alphabet] of [
    ['QR scanner (]Q1 … CR)', QR, tokens.qr],
    ['card reader (STX … ETX)', CARD, tokens.card],
  ] as const) {
    for (const maxChunk of [7, 64 * 1024]) {
      it(`${name}: frames plus discarded equal the bytes sent, chunks up to ${maxChunk} bytes`, () => {
        const tally = terminator(framing, noisyStream(12, alphabet, 2_000_000, maxChunk));
        expect(tally.frames.length).toBeGreaterThan(0);
        expect(tally.framed + tally.discarded).toBe(tally.sent);
      });
    }
  }

  it('regex framing (push thermometer): frames plus discarded equal the bytes sent', () => {
    const counter = { total: 0 };
    const framer = new RegexFramer({ pattern: /T=(?<value>-?\d{1,3}\.\d{1,2})\r\n/, maxFrameLength: 32, onDiscard: (_reason, bytes) => (counter.total += bytes) });
    const tally = feed(framer, 0, noisyStream(5, ['x', 'T=', '36.5', '\r\n', 'T=36.5\r\n', 'z'.repeat(90)], 1_000_000, 64 * 1024), counter);
    expect(tally.frames.length).toBeGreaterThan(0);
    expect(tally.framed + tally.discarded).toBe(tally.sent);
  });
});
