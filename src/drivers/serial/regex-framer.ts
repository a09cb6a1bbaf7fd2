import { Transform, type TransformCallback } from 'node:stream';

export interface RegexFraming {
  /** A frame is one match of this expression, for example `T=(?<value>\d+\.\d)\r\n`. */
  pattern: RegExp;
  /** Longest text kept while waiting for a match; older text is noise. */
  maxFrameLength: number;
  onDiscard?: (reason: string, bytes: number) => void;
}

/**
 * Frames an ASCII push stream by a regular expression from the profile, for
 * devices whose messages have no single terminator. Text before a match is
 * noise and dropped; the buffer never exceeds `maxFrameLength` characters.
 * Bytes are read as latin1 so that every byte maps to exactly one character.
 */
export class RegexFramer extends Transform {
  private pending = '';
  private readonly pattern: RegExp;

  constructor(private readonly framing: RegexFraming) {
    super({ readableObjectMode: true });
    // A fresh non-global copy: `exec` then always searches from the start.
    this.pattern = new RegExp(framing.pattern.source, framing.pattern.flags.replace(/[gy]/g, ''));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending += chunk.toString('latin1');
    // Bounded: every iteration removes a non-empty match from `pending`.
    for (let match = this.pattern.exec(this.pending); match !== null && match[0].length > 0; match = this.pattern.exec(this.pending)) {
      if (match.index > 0) this.framing.onDiscard?.('noise', match.index);
      this.push(Buffer.from(match[0], 'latin1'));
      this.pending = this.pending.slice(match.index + match[0].length);
    }
    const excess = this.pending.length - this.framing.maxFrameLength;
    if (excess > 0) {
      this.framing.onDiscard?.('overlong', excess);
      this.pending = this.pending.slice(excess);
    }
    done();
  }

  /** The port closed: the text that waited for a match is dropped, and counted, so every byte is counted once. */
  override _flush(done: TransformCallback): void {
    if (this.pending.length > 0) this.framing.onDiscard?.('unterminated', this.pending.length);
    this.pending = '';
    done();
  }
}
