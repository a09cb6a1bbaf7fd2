import fc from 'fast-check';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../../src/drivers/profile/load-profile.js';
import type { DeviceProfile } from '../../src/drivers/profile/profile-schema.js';
import { createFramer, extractValue, terminatorBytes } from '../../src/drivers/serial/create-framer.js';
import { splitAt } from '../../support/fuzz/framing-chunks.js';
import { propertyParameters } from './runs.js';

/**
 * Serial framing of the shipped line profiles under random byte streams:
 * noise bursts, overlong runs and frames split at any byte. No stream crashes
 * the framer; every valid frame behind noise is found, in order, and nothing
 * else is; the noise is counted.
 */
const devicesDir = fileURLToPath(new URL('../../devices', import.meta.url));

const ALNUM = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'];
const word = (chars: readonly string[], minLength: number, maxLength: number) => fc.string({ unit: fc.constantFrom(...chars), minLength, maxLength });

/** What each model sends (its pattern accepts it, up to its longest frame) and the value the driver takes from it. */
interface Payload {
  wire: string;
  value: string;
}
const same = (text: string): Payload => ({ wire: text, value: text });
const PAYLOADS: Record<string, (profile: DeviceProfile) => fc.Arbitrary<Payload>> = {
  'scanner-qr-cr': (p) => {
    const chars = [...ALNUM, ' ', '-', ':', '.', '/'];
    const max = p.framing!.maxFrameLength;
    // Frames at the length limit are where off-by-one limits hide; plain random lengths rarely reach them.
    return fc.oneof(word(chars, 1, max), word(chars, max - 2, max)).map(same);
  },
  'scanner-card-stx-etx': () => word([...'0123456789ABCDEF'], 8, 20).map(same),
  'plate-reader-serial': () =>
    fc.tuple(fc.constantFrom('闽', '京', '粤', '沪'), word(ALNUM, 4, 7), fc.integer({ min: 60, max: 100 })).map(([p, rest, c]) => ({ wire: `${p}${rest},${c}`, value: `${p}${rest}` })),
};

interface Part {
  noise: Buffer;
  payload: Payload;
}

function frame(profile: DeviceProfile, payload: string): Buffer {
  const framing = profile.framing!;
  return Buffer.concat([Buffer.from(framing.prefix ?? '', 'latin1'), Buffer.from(payload, 'utf8'), Buffer.from(framing.suffix ?? '', 'latin1'), terminatorBytes(framing)]);
}

function feed(profile: DeviceProfile, chunks: Buffer[]): { values: string[]; frames: Buffer[]; discarded: number } {
  let discarded = 0;
  const framer = createFramer(profile.framing!, (_reason, bytes) => (discarded += bytes));
  const frames: Buffer[] = [];
  framer.on('data', (out: Buffer) => frames.push(out));
  for (const chunk of chunks) framer.write(chunk);
  const values = frames.map((out) => extractValue(out, profile.framing!) ?? '(no match)');
  return { values, frames, discarded };
}

const cuts = fc.array(fc.nat(), { maxLength: 12 });

describe.each(Object.keys(PAYLOADS))('framing of %s', (model) => {
  it('finds every valid frame behind noise, in order, split anywhere, and counts the noise', async () => {
    const profile = await loadProfile(devicesDir, model);
    const terminator = terminatorBytes(profile.framing!);
    // Noise without the terminator byte: a burst that runs into the next frame, as on a real line.
    const noiseByte = fc.integer({ min: 0, max: 255 }).filter((byte) => !terminator.includes(byte));
    const burst = fc.array(noiseByte, { maxLength: 1200 }).map((b) => Buffer.from(b));
    // Noise may hold the prefix too (a stray or a cut-off frame), which must not cost the frame after it.
    const prefix = Buffer.from(profile.framing!.prefix ?? '', 'latin1');
    const withPrefixes = fc.array(fc.oneof(burst, fc.constant(prefix)), { maxLength: 4 }).map((pieces) => Buffer.concat(pieces));
    const noise = fc.oneof(fc.constant(Buffer.alloc(0)), fc.uint8Array({ maxLength: 40 }).map(Buffer.from), burst, withPrefixes);
    const part = fc.record({ noise, payload: PAYLOADS[model]!(profile) });
    await fc.assert(
      fc.asyncProperty(fc.array(part, { minLength: 1, maxLength: 6 }), cuts, async (parts: Part[], at) => {
        // Random uint8 noise may hold a terminator: those parts end a segment early; keep only parts whose noise does not.
        const clean = parts.filter((p) => !p.noise.includes(terminator));
        const stream = Buffer.concat(clean.flatMap((p) => [p.noise, frame(profile, p.payload.wire)]));
        const { values, discarded } = feed(profile, splitAt(stream, at));
        expect(values).toEqual(clean.map((p) => p.payload.value));
        expect(discarded).toBeGreaterThanOrEqual(clean.reduce((sum, p) => sum + p.noise.length, 0));
      }),
      propertyParameters,
    );
  });

  it('never crashes or emits an overlong frame on any byte stream', async () => {
    const profile = await loadProfile(devicesDir, model);
    const limit = profile.framing!.maxFrameLength;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), cuts, async (bytes, at) => {
        const { frames } = feed(profile, splitAt(Buffer.from(bytes), at));
        for (const out of frames) expect(out.length).toBeLessThanOrEqual(limit);
      }),
      propertyParameters,
    );
  });
});

describe('framing of thermo-ascii-push (regular expression)', () => {
  it('finds every reading behind noise, split anywhere, and never buffers past its limit', async () => {
    const profile = await loadProfile(devicesDir, 'thermo-ascii-push');
    const reading = fc.integer({ min: 300, max: 450 }).map((tenths) => (tenths / 10).toFixed(1));
    // Noise that cannot complete a reading: no 'T', so no match starts inside it.
    const noise = fc.array(fc.integer({ min: 0, max: 255 }).filter((byte) => byte !== 0x54), { maxLength: 100 }).map((b) => Buffer.from(b));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ noise, payload: reading }), { minLength: 1, maxLength: 6 }), cuts, async (parts, at) => {
        const stream = Buffer.concat(parts.flatMap((p) => [p.noise, Buffer.from(`T=${p.payload}\r\n`, 'latin1')]));
        const { values } = feed(profile, splitAt(stream, at));
        expect(values).toEqual(parts.map((p) => p.payload));
      }),
      propertyParameters,
    );
  });
});
