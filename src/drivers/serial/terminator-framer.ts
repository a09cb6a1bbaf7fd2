import { Transform, type TransformCallback } from 'node:stream';

export interface TerminatorFraming {
  /** One or two bytes ending each frame: CR, LF, CRLF or a device-specific byte such as ETX. */
  terminator: Buffer;
  /** Longest accepted payload; at most that plus prefix, suffix and terminator are kept while waiting for a terminator. */
  maxFrameLength: number;
  /**
   * Stripped from the start; a frame without it is noise, and bytes before its
   * last occurrence are dropped (resynchronisation). The payload must not contain it.
   */
  prefix?: Buffer;
  /** Stripped from the end; a frame without it is noise. */
  suffix?: Buffer;
  /** Called with a short reason whenever bytes are dropped, so drivers can count noise. */
  onDiscard?: (reason: string, bytes: number) => void;
}

/**
 * Cuts a byte stream into frames at a terminator, the way USB-serial scanners,
 * plate readers and ASCII controllers delimit their messages. It never buffers
 * more than `maxFrameLength` bytes: an overlong run is dropped up to the next
 * prefix or terminator, which is where the device starts a fresh frame.
 *
 * Every byte received is counted once: in a frame handed on (with its affixes
 * and terminator) or in exactly one `onDiscard` call, a dropped segment with
 * its terminator; bytes still waiting for a terminator are counted when they
 * leave the buffer, or at the end of the stream. Counting the noise before a
 * prefix and then the whole segment again made a noise counter read more
 * bytes than were sent (issue 12).
 */
export class TerminatorFramer extends Transform {
  private pending = Buffer.alloc(0);
  /** True while skipping the rest of an overlong frame. */
  private skipping = false;

  constructor(private readonly framing: TerminatorFraming) {
    super({ readableObjectMode: true });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    if (this.skipping) this.resyncAtPrefix();
    const { terminator } = this.framing;
    // Bounded: every iteration consumes at least one terminator from `pending`.
    for (let end = this.pending.indexOf(terminator); end !== -1; end = this.pending.indexOf(terminator)) {
      const segment = this.pending.subarray(0, end);
      this.pending = this.pending.subarray(end + terminator.length);
      if (this.skipping) {
        this.skipping = false;
        this.discard('overlong', segment.length + terminator.length);
      } else {
        this.emitSegment(segment);
      }
    }
    this.limitPending();
    done();
  }

  /** The port closed: what waited for a terminator is dropped, and counted. */
  override _flush(done: TransformCallback): void {
    this.discard(this.skipping ? 'overlong' : 'unterminated', this.pending.length);
    this.pending = Buffer.alloc(0);
    done();
  }

  /** A device with a prefix can be picked up again at its next prefix, before the terminator. */
  private resyncAtPrefix(): void {
    const start = this.framing.prefix ? this.pending.indexOf(this.framing.prefix) : -1;
    if (start === -1) return;
    this.discard('overlong', start);
    this.pending = this.pending.subarray(start);
    this.skipping = false;
  }

  private limitPending(): void {
    const { terminator, prefix, suffix, maxFrameLength } = this.framing;
    // The most bytes one valid frame can hold before its terminator is complete:
    // the payload limit is for the payload, affixes and a split terminator come on top.
    const frameLimit = (prefix?.length ?? 0) + maxFrameLength + (suffix?.length ?? 0) + terminator.length - 1;
    if (this.pending.length <= frameLimit) return;
    // A frame may have begun at the last prefix after a noise burst: keep it while it can still be one.
    const start = prefix && prefix.length > 0 ? this.pending.lastIndexOf(prefix) : -1;
    if (start > 0 && this.pending.length - start <= frameLimit) {
      this.discard('noise before prefix', start);
      this.pending = Buffer.from(this.pending.subarray(start));
      this.skipping = false;
      return;
    }
    // Keep the bytes that may begin a split terminator or prefix.
    const keep = Math.max(terminator.length, prefix?.length ?? 0) - 1;
    this.discard('overlong', this.pending.length - keep);
    this.pending = Buffer.from(this.pending.subarray(this.pending.length - keep));
    this.skipping = true;
  }

  /** One segment and the terminator after it: a frame, or dropped whole. */
  private emitSegment(segment: Buffer): void {
    const consumed = segment.length + this.framing.terminator.length;
    // Affixes first: a long run of noise before a prefix must not cost the frame behind it.
    const { body, noise } = stripAffixes(segment, this.framing);
    if (body === undefined) return this.discard(segment.length === 0 ? 'empty' : 'no prefix or suffix', consumed);
    if (body.length > this.framing.maxFrameLength) return this.discard('overlong', consumed);
    if (body.length === 0) return this.discard('empty', consumed);
    this.discard('noise before prefix', noise);
    this.push(Buffer.from(body));
  }

  private discard(reason: string, bytes: number): void {
    if (bytes > 0) this.framing.onDiscard?.(reason, bytes);
  }
}

/** The payload of a segment (undefined: not a frame) and how many noise bytes stood before its prefix. */
function stripAffixes(segment: Buffer, framing: TerminatorFraming): { body: Buffer | undefined; noise: number } {
  let body = segment;
  let noise = 0;
  if (framing.prefix && framing.prefix.length > 0) {
    // Noise in front of the prefix (a burst on the line) is dropped, not the
    // frame; the last prefix is the real one, as noise may contain its bytes.
    const start = body.lastIndexOf(framing.prefix);
    if (start === -1) return { body: undefined, noise };
    noise = start;
    body = body.subarray(start + framing.prefix.length);
  }
  if (framing.suffix && framing.suffix.length > 0) {
    // Not a frame: the caller drops the whole segment, noise included.
    if (!endsWith(body, framing.suffix)) return { body: undefined, noise: 0 };
    body = body.subarray(0, body.length - framing.suffix.length);
  }
  return { body, noise };
}

function endsWith(buffer: Buffer, tail: Buffer): boolean {
  return buffer.length >= tail.length && buffer.subarray(buffer.length - tail.length).equals(tail);
}
