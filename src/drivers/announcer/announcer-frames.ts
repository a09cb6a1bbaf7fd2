import type { ModuleSpec } from '../profile/announcer-schema.js';

/**
 * The serial command sets of the two common voice-module families, each a
 * fixed frame around a command byte and a number:
 *
 * - DFPlayer Mini manual, §3.2 "Serial Communication Format":
 *   `7E FF 06 CMD FB PH PL [CH CL] EF`, checksum = 0 − (FF + 06 + CMD + FB + PH + PL)
 *   as 16 bits, optional on commands and always sent on replies; §3.3: 0x03
 *   plays track PH·PL, 0x06 sets the volume 0–30; §3.4 (returned data): 0x3D
 *   track finished, 0x3F initialised, 0x40 error, 0x41 acknowledgement.
 * - JQ8900-16P manual, §3.3 "通讯协议" (one-wire/UART): `AA CMD LEN DATA… SM`,
 *   SM = low byte of the sum of every byte before it; 0x07 plays the track
 *   DATA (two bytes), 0x13 sets the volume 0–30.
 */
export type ModuleProtocol = ModuleSpec['protocol'];

export interface ModuleFrame {
  command: number;
  /** The frame's number: a track, a volume, an error code (big-endian data bytes). */
  param: number;
}

export const COMMANDS = {
  dfplayer: { play: 0x03, volume: 0x06 },
  jq8900: { play: 0x07, volume: 0x13 },
} as const;

/** DFPlayer replies the gateway understands (manual §3.4). */
export const DFPLAYER_REPLIES = { finished: 0x3d, initialised: 0x3f, error: 0x40, ack: 0x41 } as const;

const DF = { start: 0x7e, version: 0xff, length: 0x06, end: 0xef } as const;
const JQ = { start: 0xaa, maxData: 16 } as const;

/** One command frame: play a clip, or set the volume. */
export function encodeFrame(spec: Pick<ModuleSpec, 'protocol' | 'checksum'>, command: number, param: number): Buffer {
  const high = (param >> 8) & 0xff;
  const low = param & 0xff;
  if (spec.protocol === 'jq8900') {
    const data = command === COMMANDS.jq8900.volume ? [low] : [high, low];
    const body = [JQ.start, command, data.length, ...data];
    return Buffer.from([...body, sum(body) & 0xff]);
  }
  // Feedback byte 0: the module answers nothing but its own events (§3.2, "FB").
  const body = [DF.version, DF.length, command, 0x00, high, low];
  const checksum = spec.checksum ? [(-sum(body) >> 8) & 0xff, -sum(body) & 0xff] : [];
  return Buffer.from([DF.start, ...body, ...checksum, DF.end]);
}

export function playFrame(spec: Pick<ModuleSpec, 'protocol' | 'checksum'>, clip: number): Buffer {
  return encodeFrame(spec, COMMANDS[spec.protocol].play, clip);
}

export function volumeFrame(spec: Pick<ModuleSpec, 'protocol' | 'checksum'>, volume: number): Buffer {
  return encodeFrame(spec, COMMANDS[spec.protocol].volume, volume);
}

type Cut = 'more' | { skip: number } | { frame: ModuleFrame; length: number };

/**
 * Cuts one frame off the front of `buffer`: a frame, bytes to skip (not a
 * start byte, or a start byte whose frame does not check out), or `more`.
 */
export function cutFrame(protocol: ModuleProtocol, buffer: Buffer): Cut {
  const start = protocol === 'dfplayer' ? DF.start : JQ.start;
  if (buffer[0] !== start) {
    const next = buffer.indexOf(start);
    return { skip: next === -1 ? buffer.length : next };
  }
  return protocol === 'dfplayer' ? cutDfplayer(buffer) : cutJq8900(buffer);
}

function cutDfplayer(buffer: Buffer): Cut {
  if (buffer.length < 8) return 'more';
  if (buffer[1] !== DF.version || buffer[2] !== DF.length) return { skip: 1 };
  const frame = { command: buffer[3] ?? 0, param: buffer.readUInt16BE(5) };
  // The checksum's high byte is FA–FE for any body, so a 0xEF in position 7 can only be an unchecked frame's end.
  if (buffer[7] === DF.end) return { frame, length: 8 };
  if (buffer.length < 10) return 'more';
  const checksum = -sum([...buffer.subarray(1, 7)]) & 0xffff;
  return buffer[9] === DF.end && buffer.readUInt16BE(7) === checksum ? { frame, length: 10 } : { skip: 1 };
}

function cutJq8900(buffer: Buffer): Cut {
  if (buffer.length < 3) return 'more';
  const dataLength = buffer[2] ?? 0;
  if (dataLength > JQ.maxData) return { skip: 1 };
  const length = 4 + dataLength;
  if (buffer.length < length) return 'more';
  if ((sum([...buffer.subarray(0, length - 1)]) & 0xff) !== buffer[length - 1]) return { skip: 1 };
  const param = [...buffer.subarray(3, 3 + dataLength)].reduce((value, byte) => value * 256 + byte, 0);
  return { frame: { command: buffer[1] ?? 0, param }, length };
}

/**
 * Reads a module's byte stream: whole frames out, everything else counted and
 * skipped (zigbee-herdsman's unpi parser does the same for its frames). The
 * buffer holds at most one unfinished frame.
 */
export class ModuleFrameReader {
  private buffer = Buffer.alloc(0);

  constructor(
    private readonly protocol: ModuleProtocol,
    private readonly onFrame: (frame: ModuleFrame) => void,
    private readonly onDiscard: (bytes: number) => void,
  ) {}

  push(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    // Each turn consumes at least one byte or stops, so the loop ends within buffer.length turns.
    for (let turns = this.buffer.length; turns > 0 && this.buffer.length > 0; turns -= 1) {
      const cut = cutFrame(this.protocol, this.buffer);
      if (cut === 'more') return;
      if ('skip' in cut) {
        this.onDiscard(cut.skip);
        this.buffer = this.buffer.subarray(cut.skip);
      } else {
        this.buffer = this.buffer.subarray(cut.length);
        this.onFrame(cut.frame);
      }
    }
  }

  /** Drops a half-received frame (the port went down). */
  reset(): void {
    this.buffer = Buffer.alloc(0);
  }
}

function sum(bytes: readonly number[]): number {
  return bytes.reduce((total, byte) => total + byte, 0);
}
