import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AplayAnnouncer, clipFile } from '../../../src/drivers/announcer/announcer-aplay.js';
import { loadClipCatalogue } from '../../../src/drivers/announcer/announcer-clips.js';
import { renderClips } from '../../../src/drivers/announcer/announcer-render.js';
import type { PlayerSpec } from '../../../src/drivers/profile/announcer-schema.js';
import { loadProfile } from '../../../src/drivers/profile/load-profile.js';
import { waitFor } from '../../../support/sim/wait-for.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';

const devicesDir = fileURLToPath(new URL('../../../devices', import.meta.url));
const catalogue = loadClipCatalogue(devicesDir, 'announcer-clips');
const clip = (number: number) => ({ number, text: catalogue.clips[String(number)] ?? '' });

let dir: string;
const started: AplayAnnouncer[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gw-aplay-'));
});
afterEach(async () => {
  for (const device of started.splice(0)) await device.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The shipped profile with its player replaced as the test says. */
async function announcer(player: Partial<PlayerSpec>): Promise<AplayAnnouncer> {
  const profile = await loadProfile(devicesDir, 'voice-aplay-local');
  const spec = { ...(profile.announcer?.player as PlayerSpec), clipsDir: dir, ...player };
  const device = new AplayAnnouncer(
    { id: 'voice', profile, timing: profile.timing, calibrationOffset: 0, clock: Date, log: pino({ level: 'silent' }) },
    spec,
    catalogue,
  );
  started.push(device);
  await device.start();
  return device;
}

/** A stand-in player: logs the file it was given, takes `seconds` to "play", fails for files named 0009.wav. */
function fakePlayer(seconds: number): { command: string; log: () => string[] } {
  const log = join(dir, 'played.log');
  const command = join(dir, 'fake-player');
  writeFileSync(command, `#!/bin/sh\n[ "$1" = --version ] && exit 0\necho "$1" >> ${log}\nsleep ${seconds}\ncase "$1" in *0009.wav) exit 1;; esac\n`);
  chmodSync(command, 0o755);
  const lines = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  return { command, log: () => lines().map((line) => line.slice(-8)) };
}

function clipsOnDisk(...numbers: number[]): void {
  for (const number of numbers) writeFileSync(clipFile(dir, number), 'RIFF');
}

describe('local playback of rendered clips', () => {
  it('plays the clip’s file and is online', async () => {
    const player = fakePlayer(0);
    clipsOnDisk(1);
    const device = await announcer({ command: player.command, args: ['{file}'] });
    expect(device.status().availability).toBe('online');
    device.play(clip(1));
    await waitFor(() => device.played.length === 1, { what: 'clip 1 played' });
    expect(player.log()).toEqual(['0001.wav']);
  });

  it('latest wins: a full queue drops its oldest waiting clip, the playing one finishes', async () => {
    const player = fakePlayer(0.3);
    clipsOnDisk(1, 2, 3);
    const device = await announcer({ command: player.command, args: ['{file}'], queueLength: 1, interrupt: false });
    device.play(clip(1));
    device.play(clip(2));
    device.play(clip(3));
    await waitFor(() => device.played.length === 2, { what: 'two clips played' });
    expect(player.log()).toEqual(['0001.wav', '0003.wav']);
    expect(device.dropped).toBe(1);
  });

  it('with interrupt, a new clip cuts the playing one short and only the new one counts as played', async () => {
    const player = fakePlayer(5);
    clipsOnDisk(1, 2);
    const device = await announcer({ command: player.command, args: ['{file}'], interrupt: true });
    device.play(clip(1));
    await waitFor(() => player.log().length === 1, { what: 'clip 1 started' });
    device.play(clip(2));
    await waitFor(() => player.log().length === 2, { what: 'clip 2 started' });
    await device.stop();
    expect(player.log()).toEqual(['0001.wav', '0002.wav']);
    expect(device.played).toEqual([]);
  });

  it('a missing player makes the device offline at start; playing then neither throws nor crashes', async () => {
    const device = await announcer({ command: join(dir, 'no-such-aplay') });
    expect(device.status()).toMatchObject({ availability: 'offline', lastError: { code: 'GW_DEVICE_IO' } });
    expect(() => device.play(clip(1))).not.toThrow();
  });

  it('a missing clip file or a player that fails degrades the device, then takes it offline', async () => {
    const player = fakePlayer(0);
    clipsOnDisk(9);
    const device = await announcer({ command: player.command, args: ['{file}'], interrupt: false });
    device.play(clip(4));
    expect(device.status()).toMatchObject({ availability: 'degraded', lastError: { code: 'GW_DEVICE_IO', message: expect.stringMatching(/0004\.wav is missing/) } });
    device.play(clip(9));
    await waitFor(() => player.log().length === 1, { what: 'clip 9 tried' });
    device.play(clip(9));
    await waitFor(() => device.status().availability === 'offline', { what: 'offline after 3 failures' });
  });
});

describeWithTools(['espeak-ng', 'aplay'], 'clips rendered by espeak-ng, played by aplay', () => {
  it('renders every clip and plays one through ALSA’s null device', async () => {
    const files = await renderClips(catalogue, dir);
    expect(files).toHaveLength(Object.keys(catalogue.clips).length);
    expect(readFileSync(clipFile(dir, 1)).subarray(0, 4).toString('latin1')).toBe('RIFF');
    const device = await announcer({ command: 'aplay', args: ['-q', '-D', 'null', '{file}'] });
    device.play(clip(1));
    await waitFor(() => device.played.length === 1, { what: 'aplay played clip 1', timeoutMs: 15_000 });
    expect(device.status().availability).toBe('online');
  }, 30_000);
});
