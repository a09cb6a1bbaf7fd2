import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PassageRecord } from '../../src/core/lane-types.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { devicesView } from '../../src/http/views.js';
import { SimEstate } from '../../support/sim/estate.js';
import { loadSimConfig, type SimConfig } from '../../support/sim/sim-config.js';
import { waitFor } from '../../support/sim/wait-for.js';
import { freePort } from '../../support/brokers/mosquitto.js';
import { describeWithTools } from '../../support/tools/system-tools.js';

/**
 * config/sim.yaml end to end, as `npm run sim` runs it: the gateway on profile
 * drivers over socat ptys and Modbus TCP, the simulators on the other ends.
 * Nothing here touches a driver directly: scans and temperatures go in over
 * the wire, and the barrier command is read off the barrier's wire.
 */
describeWithTools(['socat'], 'simulated estate (config/sim.yaml) over real ptys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-sim-estate-'));
  const passages: PassageRecord[] = [];
  let sim: SimConfig;
  let estate: SimEstate;
  let gateway: Gateway;

  beforeAll(async () => {
    sim = loadSimConfig('config/sim.yaml', { dir, tcpPort: await freePort() }, (raw) => {
      (raw.http as { enabled: boolean }).enabled = false;
    });
    estate = await SimEstate.start(sim.config, { walkThroughMs: 100 });
    gateway = await startGateway({ config: sim.config, log: pino({ level: process.env.GATEWARDEN_TEST_LOG ?? 'silent' }), onPassage: (p) => passages.push(p) });
    await waitFor(() => [...gateway.devices.values()].every((device) => device.role === 'indicator' || device.status().availability === 'online'), {
      what: 'every polled or line device online',
      timeoutMs: 15_000,
    });
  }, 30_000);

  afterAll(async () => {
    await gateway?.stop();
    await estate?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The first `count` passages recorded on a lane after `from` passages. */
  async function lanePassages(lane: string, from: number, count: number): Promise<PassageRecord[]> {
    const find = () => passages.slice(from).filter((p) => `${p.gate}/${p.lane}` === lane);
    await waitFor(() => find().length >= count, { what: `${count} passages on ${lane}`, timeoutMs: 10_000 });
    return find().slice(0, count);
  }

  /** The next passage recorded on a lane after `from` passages. */
  async function nextPassage(lane: string, from: number): Promise<PassageRecord> {
    const [passage] = await lanePassages(lane, from, 1);
    return passage!;
  }

  /** A scan is only a new person once the lane is idle again (the last one walked through). */
  async function laneIdle(lane: string): Promise<void> {
    const runner = gateway.lanes.get(lane);
    await waitFor(() => runner?.phase === 'idle', { what: `${lane} idle` });
  }

  /** Sets a polled thermometer and waits until the gateway has read the new value over the wire. */
  async function readsTemperature(id: string, celsius: number): Promise<void> {
    const thermometer = gateway.devices.get(id);
    if (thermometer?.role !== 'thermometer') throw new Error(`${id} is not a thermometer`);
    let seen = false;
    thermometer.onReading((reading) => (seen ||= Math.abs(reading.celsius - celsius) < 0.05));
    estate.setTemperature(id, celsius);
    await waitFor(() => seen, { what: `${id} reads ${celsius}` });
  }

  /** A green health pass for `sub`, as its holder shows it on a window scanner. */
  function greenPass(sub: string): string {
    const nowS = Math.floor(Date.now() / 1000);
    return sim.issuer.issue({ sub, col: 'green', iat: nowS - 60, exp: nowS + 3600 });
  }

  function storedVerdict(id: string): unknown {
    return gateway.db.prepare('SELECT verdict FROM passages WHERE id = ?').pluck().get(id);
  }

  it("grants a card scanned on the south pty, then the holder's own pass on the QR pty, records it, and sends OPEN on the barrier pty", async () => {
    const from = passages.length;
    estate.setTemperature('south-p1-thermo', 36.5);
    estate.line('south-p1-cards').send('04A1B2C3D4');
    await new Promise((resolve) => setTimeout(resolve, 100));
    estate.line('south-p1-qr').send(greenPass('resident-0101'));
    const passage = await nextPassage('south/p1', from);
    expect(passage.decision).toMatchObject({ verdict: 'grant', reasons: ['CARD_VALID', 'CODE_GREEN', 'TEMP_NORMAL'] });
    expect(passage.credential).toBe('card');
    expect(storedVerdict(passage.id)).toBe('grant');
    await waitFor(() => estate.line('south-p1-barrier').commands.includes('OPEN'), { what: 'OPEN on the barrier pty' });
  });

  /** The alerts stored with a passage, as `type:severity`, once its unit has committed `count` of them. */
  async function storedAlerts(passageId: string, count: number): Promise<string[]> {
    const read = () => gateway.db.prepare("SELECT type || ':' || severity FROM alerts WHERE passage_id = ? ORDER BY type, severity").pluck().all(passageId) as string[];
    await waitFor(() => read().length >= count, { what: `${count} alerts of ${passageId}` });
    return read();
  }

  /**
   * On the south lane's push thermometer: a fever, a pass shown on the QR pty, and half a second later a pass
   * again (the same person's or the next one's). The first attempt is decided when the second scan comes.
   */
  async function feverThenTwoScans(first: string, second: string, { celsius = 38.6, waitMs = 500 } = {}): Promise<void> {
    await laneIdle('south/p1');
    await readsTemperature('south-p1-thermo', celsius);
    const from = passages.length;
    estate.line('south-p1-qr').send(first);
    await waitFor(() => gateway.lanes.get('south/p1')?.phase === 'measuring', { what: 'south/p1 re-measuring the fever' });
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    estate.line('south-p1-qr').send(second);
    const [interrupted] = await lanePassages('south/p1', from, 1);
    expect(interrupted!.decision).toMatchObject({ verdict: 'refer', reasons: ['FEVER_UNCONFIRMED'] });
    expect(await storedAlerts(interrupted!.id, 1)).toEqual(['fever:warning']);
  }

  // Found from outside: a rescan restarted the measurement, so fever, scan, rescan, fever, normal was granted.
  it('a rescan does not restart the fever re-measure: the next fever sample confirms it (deny, suspected case)', async () => {
    const pass = greenPass('visitor-rescan-fever');
    const from = passages.length;
    const opens = () => estate.line('south-p1-barrier').commands.filter((command) => command === 'OPEN').length;
    const opened = opens();
    await feverThenTwoScans(pass, pass);
    await readsTemperature('south-p1-thermo', 38.7);
    const [, rescan] = await lanePassages('south/p1', from, 2);
    expect(rescan!.decision).toMatchObject({ verdict: 'deny', reasons: ['FEVER'] });
    expect(rescan!.readings).toEqual([38.6, 38.7]);
    expect(await storedAlerts(rescan!.id, 2)).toEqual(['fever:critical', 'suspected-case:critical']);
    // The normal reading the tester then gave changes nothing: the lane is idle and the barrier was never commanded.
    await readsTemperature('south-p1-thermo', 36.3);
    expect(gateway.lanes.get('south/p1')?.phase).toBe('idle');
    expect(opens()).toBe(opened);
  });

  // Found from outside: past the freshness window (3 s) the lane had forgotten the fever, so a rescan after 3.6 s
  // made the second fever sample a first one, and the normal one after it a re-measure.
  it('a wait past the freshness window before the rescan does not restart the fever re-measure either', async () => {
    const pass = greenPass('visitor-slow-rescan');
    const from = passages.length;
    await feverThenTwoScans(pass, pass, { celsius: 38.4, waitMs: 3600 });
    await waitFor(() => gateway.lanes.get('south/p1')?.phase === 'measuring', { what: 'south/p1 measuring the rescan' });
    await readsTemperature('south-p1-thermo', 38.5);
    const [, rescan] = await lanePassages('south/p1', from, 2);
    expect(rescan!.decision).toMatchObject({ verdict: 'deny', reasons: ['FEVER'] });
    expect(await storedAlerts(rescan!.id, 2)).toEqual(['fever:critical', 'suspected-case:critical']);
  });

  it('a rescan then a normal sample: granted as a re-measured normal, the fever reported', async () => {
    const pass = greenPass('visitor-rescan-normal');
    const from = passages.length;
    await feverThenTwoScans(pass, pass);
    await readsTemperature('south-p1-thermo', 36.3);
    const [, rescan] = await lanePassages('south/p1', from, 2);
    expect(rescan!.decision).toMatchObject({ verdict: 'grant', reasons: ['CODE_GREEN', 'TEMP_NORMAL', 'FEVER_REMEASURED_NORMAL'] });
    expect(rescan!.readings).toEqual([38.6, 36.3]);
    expect(await storedAlerts(rescan!.id, 1)).toEqual(['fever:warning']);
  });

  it("the next person scanning while the last one's fever is fresh is re-measured from it, not granted on one normal reading", async () => {
    const from = passages.length;
    await feverThenTwoScans(greenPass('visitor-fever-a'), greenPass('visitor-after-fever-b'));
    await readsTemperature('south-p1-thermo', 36.4);
    const [, next] = await lanePassages('south/p1', from, 2);
    expect(next!.decision).toMatchObject({ verdict: 'grant', reasons: ['CODE_GREEN', 'TEMP_NORMAL', 'FEVER_REMEASURED_NORMAL'] });
    expect(next!.readings).toEqual([38.6, 36.4]);
  });

  // Found beside the outside tester's rescan finding: denied FEVER, the same pass 0.6 s later on a cooled forehead (36.3) was granted.
  it('a confirmed fever holds the person out: the same pass again with a normal reading is refused FEVER, here and at another gate', async () => {
    const pass = greenPass('visitor-fever-hold');
    const opens = () => estate.line('south-p1-barrier').commands.filter((command) => command === 'OPEN').length;
    const opened = opens();
    await laneIdle('south/p1');
    await readsTemperature('south-p1-thermo', 38.6);
    const from = passages.length;
    estate.line('south-p1-qr').send(pass);
    await waitFor(() => gateway.lanes.get('south/p1')?.phase === 'measuring', { what: 'south/p1 re-measuring the fever' });
    await readsTemperature('south-p1-thermo', 38.7);
    const [refused] = await lanePassages('south/p1', from, 1);
    expect(refused!.decision).toMatchObject({ verdict: 'deny', reasons: ['FEVER'], rule: 'temperature-screening' });
    expect(await storedAlerts(refused!.id, 2)).toEqual(['fever:critical', 'suspected-case:critical']);

    await new Promise((resolve) => setTimeout(resolve, 600));
    estate.line('south-p1-qr').send(pass);
    await waitFor(() => gateway.lanes.get('south/p1')?.phase === 'measuring', { what: 'south/p1 measuring the retry' });
    await readsTemperature('south-p1-thermo', 36.3);
    const [, retry] = await lanePassages('south/p1', from, 2);
    expect(retry!.decision).toMatchObject({ verdict: 'deny', reasons: ['FEVER'], rule: 'fever-hold' });
    expect(retry!.readings).toEqual([36.3]);
    expect(storedVerdict(retry!.id)).toBe('deny');

    // The same person at the north gate, normal on its Modbus thermometer: held there too.
    await laneIdle('north/p1');
    await readsTemperature('north-p1-thermo', 36.6);
    const beforeNorth = passages.length;
    estate.line('north-p1-qr').send(pass);
    const north = await nextPassage('north/p1', beforeNorth);
    expect(north.decision).toMatchObject({ verdict: 'deny', reasons: ['FEVER'], rule: 'fever-hold' });

    const suspectedCases = gateway.db
      .prepare("SELECT count(*) FROM alerts WHERE type = 'suspected-case' AND subject_hash = (SELECT subject_hash FROM passages WHERE id = ?)")
      .pluck()
      .get(refused!.id);
    expect(suspectedCases).toBe(1);
    expect(gateway.lanes.get('south/p1')?.phase).toBe('idle');
    expect(opens()).toBe(opened);
  });

  it('grants a health pass scanned on the north pty and pulses the relay coil over the RS-485 bus', async () => {
    const from = passages.length;
    const nowS = Math.floor(Date.now() / 1000);
    estate.line('north-p1-qr').send(sim.issuer.issue({ sub: 'visitor-e2e', col: 'green', iat: nowS - 60, exp: nowS + 3600 }));
    const passage = await nextPassage('north/p1', from);
    expect(passage.decision.verdict).toBe('grant');
    expect(storedVerdict(passage.id)).toBe('grant');
    const relay = estate.device('north-p1-barrier');
    if (relay.kind !== 'modbus') throw new Error('north-p1-barrier should be a Modbus unit');
    await waitFor(() => relay.unit.bank.writes.some((write) => write.functionCode === 5 && write.address === 0 && write.value === 0xff00), { what: 'release coil on' });
  });

  it('counts garbage on the QR pty as noise, shows it with the device, and still decides the pass after it', async () => {
    const qr = () => devicesView(gateway.devices.values(), new Map()).find((device) => device.id === 'east-p1-qr');
    const before = qr()?.noiseBytes ?? 0;
    await laneIdle('east/p1');
    const from = passages.length;
    const nowS = Math.floor(Date.now() / 1000);
    estate.line('east-p1-qr').inject(Buffer.from('\x00\xff#garbage without a terminator '.repeat(8), 'latin1'));
    estate.line('east-p1-qr').inject(Buffer.from('\r'));
    estate.line('east-p1-qr').send(sim.issuer.issue({ sub: 'visitor-noise', col: 'green', iat: nowS - 60, exp: nowS + 3600 }));
    expect((await nextPassage('east/p1', from)).decision.verdict).toBe('grant');
    expect(qr()).toMatchObject({ availability: 'online', noiseBytes: expect.any(Number) });
    expect(qr()!.noiseBytes! - before).toBeGreaterThan(200);
    // A device on the Modbus bus has no line of its own to count.
    expect(devicesView(gateway.devices.values(), new Map()).find((device) => device.id === 'north-p1-barrier')?.noiseBytes).toBeNull();
  });

  it('denies a fever read from the Modbus thermometer', async () => {
    await laneIdle('north/p1');
    await readsTemperature('north-p1-thermo', 38.6);
    const from = passages.length;
    const nowS = Math.floor(Date.now() / 1000);
    estate.line('north-p1-qr').send(sim.issuer.issue({ sub: 'visitor-fever', col: 'green', iat: nowS - 60, exp: nowS + 3600 }));
    const passage = await nextPassage('north/p1', from);
    expect(passage.decision.verdict).toBe('deny');
    expect(passage.decision.reasons).toContain('FEVER');
    await readsTemperature('north-p1-thermo', 36.6);
  });

  it('grants a resident vehicle whose plate the camera reads and whose driver shows a pass at the window, and opens the vehicle barrier', async () => {
    const from = passages.length;
    estate.setTemperature('east-v1-thermo', 36.4);
    estate.line('east-v1-plates').send('闽D12345');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Another resident than the one who walked in moments ago: the same person the same way within the replay window is a replay.
    estate.line('east-v1-qr').send(greenPass('resident-0102'));
    const passage = await nextPassage('east/v1', from);
    expect(passage.kind).toBe('vehicle');
    expect(passage.decision).toMatchObject({ verdict: 'grant', reasons: expect.arrayContaining(['VEHICLE_RESIDENT', 'CODE_GREEN', 'TEMP_NORMAL']) });
    expect(passage.vehicle?.kind).toBe('plate');
    expect(storedVerdict(passage.id)).toBe('grant');
    await waitFor(() => estate.line('east-v1-barrier').commands.includes('OPEN'), { what: 'OPEN on the vehicle barrier pty' });
  });

  it('denies a fever measured on demand over Modbus TCP, after a re-measure', async () => {
    await laneIdle('east/p1');
    estate.setTemperature('east-p1-thermo', 38.7);
    const from = passages.length;
    const nowS = Math.floor(Date.now() / 1000);
    estate.line('east-p1-qr').send(sim.issuer.issue({ sub: 'visitor-tcp-fever', col: 'green', iat: nowS - 60, exp: nowS + 3600 }));
    const passage = await nextPassage('east/p1', from);
    expect(passage.decision.verdict).toBe('deny');
    expect(passage.decision.reasons).toContain('FEVER');
    expect(passage.readings).toHaveLength(2);
  });

  it('refers with DEVICE_FAULT when the thermometer on the bus goes dead', async () => {
    const thermometer = gateway.devices.get('north-p1-thermo')!;
    estate.faults('north-p1-thermo').silent = true;
    await waitFor(() => thermometer.status().availability === 'offline', { what: 'thermometer offline', timeoutMs: 10_000 });
    await laneIdle('north/p1');
    const from = passages.length;
    const nowS = Math.floor(Date.now() / 1000);
    estate.line('north-p1-qr').send(sim.issuer.issue({ sub: 'visitor-dead-thermo', col: 'green', iat: nowS - 60, exp: nowS + 3600 }));
    const passage = await nextPassage('north/p1', from);
    expect(passage.decision.verdict).toBe('refer');
    expect(passage.decision.reasons).toContain('DEVICE_FAULT');
    estate.faults('north-p1-thermo').silent = false;
  });
});
