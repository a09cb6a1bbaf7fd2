import { describe, expect, it } from 'vitest';
import { TerminatorFramer } from '../../../src/drivers/serial/terminator-framer.js';

function run(chunks: string[]) {
  let discarded = 0;
  const framer = new TerminatorFramer({ terminator: Buffer.from('\r'), prefix: Buffer.from(']Q1'), maxFrameLength: 16, onDiscard: (_r, bytes) => (discarded += bytes) });
  const frames: string[] = [];
  framer.on('data', (frame: Buffer) => frames.push(frame.toString('latin1')));
  for (const chunk of chunks) framer.write(Buffer.from(chunk, 'latin1'));
  return { frames, discarded };
}

describe('TerminatorFramer limits', () => {
  it('keeps a frame of exactly maxFrameLength whose terminator comes in a later chunk', () => {
    expect(run([`]Q1${'a'.repeat(16)}`, '\r']).frames).toEqual(['a'.repeat(16)]);
  });

  it('finds a frame behind a long noise burst holding a stray prefix, when the frame arrives in pieces', () => {
    const noise = `xx]Q1${'n'.repeat(30)}`;
    expect(run([noise + ']Q1ab', 'cd', '\r']).frames).toEqual(['abcd']);
  });
});
