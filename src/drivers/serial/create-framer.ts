import type { Transform } from 'node:stream';
import type { FramingSpec } from '../profile/profile-schema.js';
import { RegexFramer } from './regex-framer.js';
import { TerminatorFramer } from './terminator-framer.js';

const TERMINATORS = { cr: '\r', lf: '\n', crlf: '\r\n' } as const;

/** The framer a profile's `framing` section describes. Profile strings are bytes as latin1 (`"\x02"` is STX). */
export function createFramer(framing: FramingSpec, onDiscard: (reason: string, bytes: number) => void): Transform {
  if (framing.kind === 'regex') {
    return new RegexFramer({ pattern: new RegExp(framing.pattern ?? ''), maxFrameLength: framing.maxFrameLength, onDiscard });
  }
  return new TerminatorFramer({
    terminator: terminatorBytes(framing),
    maxFrameLength: framing.maxFrameLength,
    ...(framing.prefix !== undefined && { prefix: Buffer.from(framing.prefix, 'latin1') }),
    ...(framing.suffix !== undefined && { suffix: Buffer.from(framing.suffix, 'latin1') }),
    onDiscard,
  });
}

export function terminatorBytes(framing: FramingSpec): Buffer {
  return framing.terminator ? Buffer.from(TERMINATORS[framing.terminator], 'latin1') : Buffer.of(framing.terminatorByte ?? 0);
}

/**
 * The payload of a frame: the named group `value` of the profile's pattern
 * (or the whole match), undefined when the frame does not match (noise).
 * Frames are UTF-8 text, so plates keep their province character.
 */
export function extractValue(frame: Buffer, framing: FramingSpec): string | undefined {
  const text = frame.toString('utf8');
  const source = framing.kind === 'regex' ? framing.pattern : framing.match;
  if (source === undefined) return text;
  const match = new RegExp(source).exec(text);
  return match ? (match.groups?.value ?? match[0]) : undefined;
}
