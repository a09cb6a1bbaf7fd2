import assert from 'node:assert/strict';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { hasValidCrc, withCrc } from '../../src/drivers/modbus/crc16.js';
import { expectReply, findReply } from '../../src/drivers/modbus/rtu-frame.js';
import { loadProfile } from '../../src/drivers/profile/load-profile.js';
import type { DeviceProfile } from '../../src/drivers/profile/profile-schema.js';
import { createFramer, terminatorBytes } from '../../src/drivers/serial/create-framer.js';
import { splitAt } from './framing-chunks.js';
import type { FuzzTarget, Prepared } from './target.js';

const devicesDir = fileURLToPath(new URL('../../devices', import.meta.url));
/** Every shipped profile that frames a serial line. */
const FRAMED_MODELS = ['scanner-qr-cr', 'scanner-card-stx-etx', 'plate-reader-serial', 'barrier-serial-ack', 'thermo-ascii-push'] as const;

interface Stream {
  model: number;
  pieces: Array<{ kind: 'noise'; bytes: Uint8Array } | { kind: 'frame'; text: string }>;
  cuts: number[];
}

/**
 * Serial framing of every shipped line profile over hostile streams: random
 * bytes, frames of any text (overlong, holding the terminator or the prefix),
 * cut into random chunks, then the port closed. Nothing throws; no frame is
 * longer than the profile allows; every byte sent is counted exactly once,
 * in a frame handed on or as discarded noise (issue 12's double count).
 */
export const framingTarget: FuzzTarget = {
  name: 'framing',
  what: `serial framing (src/drivers/serial/*framer*), profiles ${FRAMED_MODELS.join(', ')}: random bytes and frames of any text in random chunks`,
  async prepare(): Promise<Prepared<Stream>> {
    const profiles: DeviceProfile[] = await Promise.all(FRAMED_MODELS.map((model) => loadProfile(devicesDir, model)));
    const counts = { frames: 0, bytes: 0, discarded: 0 };
    const piece = fc.oneof(
      fc.uint8Array({ maxLength: 600 }).map((bytes) => ({ kind: 'noise' as const, bytes })),
      fc.string({ maxLength: 80, unit: fc.oneof(fc.constantFrom('\r', '\n', '\x02', '\x03', 'T', '=', '.', '闽'), fc.string({ minLength: 1, maxLength: 1 })) }).map((text) => ({ kind: 'frame' as const, text })),
    );
    return {
      arbitrary: fc.record({ model: fc.nat({ max: profiles.length - 1 }), pieces: fc.array(piece, { maxLength: 8 }), cuts: fc.array(fc.nat(), { maxLength: 10 }) }),
      stats: () => ({ ...counts }),
      async check({ model, pieces, cuts }) {
        const profile = profiles[model] as DeviceProfile;
        const framing = profile.framing!;
        const wire = (text: string) =>
          framing.kind === 'regex' ? Buffer.from(`T=${text}\r\n`, 'latin1') : Buffer.concat([Buffer.from(framing.prefix ?? '', 'latin1'), Buffer.from(text, 'utf8'), Buffer.from(framing.suffix ?? '', 'latin1'), terminatorBytes(framing)]);
        const stream = Buffer.concat(pieces.map((p) => (p.kind === 'noise' ? Buffer.from(p.bytes) : wire(p.text))));
        let discarded = 0;
        const framer = createFramer(framing, (_reason, bytes) => (discarded += bytes));
        const frames: Buffer[] = [];
        framer.on('data', (frame: Buffer) => frames.push(frame));
        const ended = once(framer, 'end');
        for (const chunk of splitAt(stream, cuts)) framer.write(chunk);
        framer.end();
        await ended;
        // A terminator framer hands on the payload; its affixes and terminator were on the wire too.
        const overhead = framing.kind === 'regex' ? 0 : Buffer.byteLength(framing.prefix ?? '', 'latin1') + Buffer.byteLength(framing.suffix ?? '', 'latin1') + terminatorBytes(framing).length;
        const limit = framing.maxFrameLength;
        for (const frame of frames) assert.ok(frame.length <= limit, `a ${frame.length}-byte frame from ${profile.model} (limit ${limit})`);
        const framed = frames.reduce((sum, frame) => sum + frame.length + overhead, 0);
        assert.equal(framed + discarded, stream.length, `${profile.model}: frames ${framed} + discarded ${discarded} bytes, ${stream.length} sent`);
        counts.frames += frames.length;
        counts.bytes += stream.length;
        counts.discarded += discarded;
      },
    };
  },
};

interface RtuCase {
  request: Uint8Array;
  kind: 'random' | 'reply' | 'noisy-reply' | 'bad-crc' | 'exception' | 'other-unit';
  noise: Uint8Array;
  data: Uint8Array;
  flip: number;
}

/**
 * Modbus RTU replies through the reply finder the RTU line uses
 * (src/drivers/modbus/rtu-frame.ts): random requests, then random bytes or a
 * reply behind noise, with a flipped bit, from another unit or an exception.
 * Nothing throws; whatever it returns is a frame for the unit and function
 * asked, of the expected length, and either has a valid CRC or starts the
 * buffer (so the client reports the CRC error); an intact reply alone is found.
 */
export const modbusTarget: FuzzTarget = {
  name: 'modbus',
  what: 'Modbus RTU replies (src/drivers/modbus/rtu-frame.ts expectReply, findReply): random requests and replies, noise, flipped bits, other units, exceptions',
  async prepare(): Promise<Prepared<RtuCase>> {
    const counts = { found: 0, none: 0, unsupported: 0 };
    const request = fc.oneof(
      { arbitrary: fc.tuple(fc.integer({ min: 1, max: 247 }), fc.constantFrom(1, 2, 3, 4, 5, 6, 15, 16), fc.nat({ max: 0xffff }), fc.integer({ min: 0, max: 125 })).map(([unit, fn, address, quantity]) =>
        withCrc(Uint8Array.of(unit, fn, address >> 8, address & 0xff, quantity >> 8, quantity & 0xff)),
      ), weight: 4 },
      fc.uint8Array({ maxLength: 12 }),
    );
    const arbitrary = fc.record({
      request,
      kind: fc.constantFrom('random' as const, 'reply' as const, 'noisy-reply' as const, 'bad-crc' as const, 'exception' as const, 'other-unit' as const),
      noise: fc.uint8Array({ maxLength: 300 }),
      data: fc.uint8Array({ maxLength: 260 }),
      flip: fc.nat(),
    });
    return {
      arbitrary,
      stats: () => ({ ...counts }),
      check(input) {
        const expected = expectReply(input.request);
        if (!expected) {
          counts.unsupported += 1;
          return;
        }
        // A byte count over 255 cannot be sent (quantities past the spec's 2000 coils or 125 registers): no reply can be intact.
        const encodable = expected.byteCount === undefined || expected.byteCount <= 0xff;
        const reply = replyFor(input, expected);
        const buffer = input.kind === 'random' ? Buffer.from(input.noise) : input.kind === 'reply' ? reply : Buffer.concat([input.noise, reply]);
        const found = findReply(buffer, expected);
        if (!found) {
          counts.none += 1;
          assert.ok(input.kind !== 'reply' || !encodable, 'an intact reply alone was not found');
          return;
        }
        counts.found += 1;
        assert.equal(found[0], expected.unitId);
        const exception = found[1] === (expected.functionCode | 0x80);
        assert.ok(exception || found[1] === expected.functionCode, `function ${found[1]} for ${expected.functionCode}`);
        assert.equal(found.length, exception ? 5 : expected.length);
        assert.ok(hasValidCrc(found) || buffer.subarray(0, found.length).equals(found), 'a frame with a bad CRC inside the buffer was taken');
        if (input.kind === 'reply' && encodable) assert.ok(found.equals(reply), 'an intact reply alone was misread');
      },
    };
  },
};

function replyFor(input: RtuCase, expected: NonNullable<ReturnType<typeof expectReply>>): Buffer {
  const { unitId, functionCode, length, byteCount } = expected;
  const unit = input.kind === 'other-unit' ? 1 + ((unitId + (input.flip % 246)) % 247) : unitId;
  if (input.kind === 'exception') return withCrc(Uint8Array.of(unit, functionCode | 0x80, 1 + (input.flip % 11)));
  const body = Buffer.alloc(length - 2);
  body[0] = unit;
  body[1] = functionCode;
  if (byteCount !== undefined) body[2] = byteCount;
  Buffer.from(input.data).copy(body, byteCount === undefined ? 2 : 3, 0, Math.max(0, body.length - (byteCount === undefined ? 2 : 3)));
  const frame = withCrc(body);
  if (input.kind === 'bad-crc') frame[2 + (input.flip % (frame.length - 2))]! ^= 1 << (input.flip % 8);
  return frame;
}
