import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AnnouncerSim } from '../../../support/sim/announcer-sim.js';
import { PtyPair } from '../../../support/sim/pty-pair.js';
import { PassIssuer } from '../../../src/demo/pass-issuer.js';
import type { VirtualAnnouncer } from '../../../src/drivers/virtual/virtual-announcer.js';
import { generateEd25519 } from '../../../src/secrets.js';
import { startHarness, waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';
import { RESIDENT } from '../../helpers/resident.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';

const issuerKey = generateEd25519('district-1');
const issuer = new PassIssuer(issuerKey.kid, issuerKey.privateKey);
const nowS = () => Math.floor(Date.now() / 1000);
let issued = 0;
// Each pass distinct (iat), so one person shown twice is never a replay.
/** A pass of the resident by default; other tests show other people (one person the same way twice in the replay window is a replay). */
const pass = (col: 'green' | 'red', sub: string = RESIDENT.subject) => issuer.issue({ sub, col, iat: nowS() - 60 - (issued += 1), exp: nowS() + 3600 });

/** The entry lane speaks through a DFPlayer Mini on a pty, the exit lane through a virtual announcer. */
function withAnnouncers(port: string) {
  return {
    trust: { maxAgeHours: 24, issuers: [{ kid: issuerKey.kid, publicKey: issuerKey.publicKey }] },
    gates: [
      {
        id: 'main',
        name: 'Main gate',
        lanes: [
          { id: 'in', direction: 'in', devices: { scanner: 'in-scanner', thermometer: 'in-thermo', barrier: 'in-barrier', announcer: 'in-voice' } },
          { id: 'out', direction: 'out', devices: { scanner: 'out-scanner', barrier: 'out-barrier', announcer: 'out-voice' } },
        ],
      },
    ],
    devices: [
      { id: 'in-scanner', role: 'scanner', driver: 'virtual' },
      { id: 'in-thermo', role: 'thermometer', driver: 'virtual' },
      { id: 'in-barrier', role: 'barrier', driver: 'virtual' },
      { id: 'in-voice', role: 'announcer', driver: 'profile', profile: 'voice-dfplayer-mini', port },
      { id: 'out-scanner', role: 'scanner', driver: 'virtual' },
      { id: 'out-barrier', role: 'barrier', driver: 'virtual' },
      { id: 'out-voice', role: 'announcer', driver: 'virtual' },
    ],
  };
}

describeWithTools(['socat'], 'the lane speaks through the gateway’s own wiring', () => {
  let dir: string;
  let pair: PtyPair;
  let sim: AnnouncerSim;
  let harness: Harness;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-voice-'));
    pair = PtyPair.inDir(dir, 'voice');
    await pair.start();
    sim = new AnnouncerSim({ protocol: 'dfplayer', checksum: true }, { path: pair.simPath, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
    sim.start();
    harness = await startHarness(withAnnouncers(pair.devicePath));
    await waitFor(() => harness.gateway.devices.get('in-voice')?.status().availability === 'online', 'the voice module online');
  });

  afterAll(async () => {
    await harness?.stop();
    await sim?.stop();
    await pair?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const entry = () => harness.gateway.lanes.get('main/in');
  /** Clips the module was told to play from now on, once `count` have arrived and the lane is idle again. */
  async function said(count: number, act: () => void): Promise<number[]> {
    await waitFor(() => entry()?.phase === 'idle', 'entry lane idle');
    const from = sim.clips.length;
    act();
    await waitFor(() => sim.clips.length >= from + count, `${count} clips`);
    await waitFor(() => entry()?.phase === 'idle', 'entry lane idle again', 5_000);
    return sim.clips.slice(from);
  }

  it('a card asks for the health pass (clip 1); the pass with a normal temperature lets them through (clip 2)', async () => {
    harness.thermometer('in-thermo').present(36.5);
    const clips = await said(2, () => {
      harness.scanner('in-scanner').scan(RESIDENT.uid);
      setTimeout(() => harness.scanner('in-scanner').scan(pass('green')), 300);
    });
    expect(clips).toEqual([1, 2]);
    expect(harness.passages.at(-1)?.decision).toMatchObject({ verdict: 'grant' });
  });

  it('a first fever reading is re-measured aloud (clip 4), then the normal sample lets them through (clip 2)', async () => {
    harness.thermometer('in-thermo').present([38.2, 36.6]);
    const clips = await said(2, () => harness.scanner('in-scanner').scan(pass('green', 'visitor-fever')));
    expect(clips).toEqual([4, 2]);
    expect(harness.passages.at(-1)?.decision.reasons).toContain('FEVER_REMEASURED_NORMAL');
  });

  it('refusals: an unknown card (clip 12), a red code (clip 7)', async () => {
    harness.thermometer('in-thermo').present(36.5);
    expect(await said(1, () => harness.scanner('in-scanner').scan('04FFFFFFFF'))).toEqual([12]);
    expect(await said(1, () => harness.scanner('in-scanner').scan(pass('red', 'visitor-red')))).toEqual([7]);
    expect(harness.passages.at(-1)?.decision).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['CODE_RED']) });
  });

  it('the exit lane’s virtual announcer says 请通行 for a green pass going out, and the frames on the wire were all valid', async () => {
    const voice = harness.gateway.devices.get('out-voice') as VirtualAnnouncer;
    harness.scanner('out-scanner').scan(pass('green'));
    await waitFor(() => voice.said.length === 1, 'the exit lane spoke');
    expect(voice.said).toEqual([{ number: 3, text: '请通行' }]);
    expect(sim.badBytes).toBe(0);
  });
});
