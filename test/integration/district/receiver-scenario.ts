import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DistrictReceiver } from '../../../src/district/receiver.js';
import { hashPassword } from '../../../src/mqtt/password-hash.js';
import { publishStats } from '../../../src/mqtt/reports.js';
import { stampReport } from '../../../src/store/report-chain-format.js';
import { startHarness, waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';
import { DISTRICT_PASSWORD, DISTRICT_USER, districtTrusted, emitStats, estateOf, gatewayHead, oneTo, PREFIX, startReceiver, storedSeqs, waitComplete, waitUntil, type ReceiverSetup } from './district-fixture.js';

export interface StorageUnderTest {
  setup: ReceiverSetup['storage'];
  close(): Promise<void>;
}

/**
 * The district receiver against the real gateway on its embedded broker
 * (aedes), on the store `storage` makes: the same tests run on SQLite and on
 * PostgreSQL. In order: a verified stream from seq 1; a shed range named by a
 * signed gap record and backfilled by cmd/resend; tampered, renumbered,
 * broken and forged reports flagged and never stored as valid; a late report;
 * the API, page and metrics; a restart of the receiver that loses nothing.
 */
export function receiverScenario(storage: (dir: string) => Promise<StorageUnderTest>): void {
  let harness: Harness;
  let store: StorageUnderTest;
  let receiver: DistrictReceiver | undefined;

  beforeAll(async () => {
    harness = await startHarness({
      commands: { keys: [districtTrusted] },
      mqtt: {
        broker: { type: 'embedded', host: '127.0.0.1', port: 0, users: [{ username: DISTRICT_USER, role: 'district', passwordHash: hashPassword(DISTRICT_PASSWORD) }] },
        checkpointEveryS: 1,
        outbox: { maxRows: 100, window: 64 },
      },
    });
    store = await storage(harness.dir);
    receiver = await start();
  }, 60_000);

  afterAll(async () => {
    await receiver?.stop();
    await harness?.stop();
    await store?.close();
  });

  const start = () => {
    const key = harness.gateway.secrets.gatewayKey;
    if (!key) throw new Error('the gateway made no key');
    return startReceiver({ url: harness.gateway.mqtt.url, storage: store.setup, gatewayKey: { kid: key.kid, publicKey: key.publicKey } });
  };
  const live = () => receiver as DistrictReceiver;
  const findings = async (kind: string) => live().store.findings({ estate: 'test-estate', kind, limit: 1000 });
  const publishAsIntermediary = (topic: string, payload: string) => harness.gateway.mqtt.connection.client.publishAsync(topic, payload, { qos: 1 });
  const logged = (seq: number) => JSON.parse((harness.gateway.db.prepare('SELECT payload FROM report_log WHERE seq = ?').get(seq) as { payload: string }).payload) as Record<string, unknown>;

  it('stores the stream as verified, contiguous from seq 1, an alert among it', async () => {
    emitStats(harness, 3);
    harness.thermometer('in-thermo').setOnline(false);
    await waitFor(() => gatewayHead(harness).seq >= 4, 'the device-fault alert in the chain');
    await waitComplete(live(), harness);
    expect(await storedSeqs(live())).toEqual(oneTo(gatewayHead(harness).seq));
    for (const kind of ['tampered', 'broken-link', 'conflict', 'bad-signature', 'checkpoint-mismatch']) expect(await findings(kind)).toEqual([]);
  }, 40_000);

  it('detects a shed range by its signed gap record and fills it with cmd/resend', async () => {
    const before = gatewayHead(harness).seq;
    // Over the 100-row bound in one tick, as a long broker outage leaves the outbox: the oldest are shed.
    emitStats(harness, 130);
    harness.gateway.mqtt.guard.check();
    const gap = await waitUntil(async () => (await live().store.reports('test-estate', before + 1, 1000)).find((row) => row.topic === `${PREFIX}/gap`), () => 'the gap record stored');
    const shed = (JSON.parse(gap.payload) as { ranges: Array<{ from: number; to: number }> }).ranges;
    expect(shed.length).toBeGreaterThan(0);
    await waitComplete(live(), harness, 40_000);
    expect(await storedSeqs(live())).toEqual(oneTo(gatewayHead(harness).seq));
    // The shed reports came by the resend, byte for byte as the gateway keeps them. (A row already in flight when it
    // was shed may also have arrived live: the gap record names what left the outbox unacknowledged.)
    const first = shed[0] as { from: number; to: number };
    const rows = await live().store.reports('test-estate', first.from, first.to - first.from + 1);
    expect(rows).toHaveLength(first.to - first.from + 1);
    expect(rows.filter((row) => row.backfilled === 1).length).toBeGreaterThan(rows.length / 2);
    expect(rows.map((row) => row.payload)).toEqual(rows.map((row) => JSON.stringify(logged(row.seq))));
  }, 60_000);

  it('flags tampered, renumbered, broken and forged reports and stores none of them as valid', async () => {
    await waitComplete(live(), harness);
    const head = gatewayHead(harness);
    const last = logged(head.seq);
    const stats = (id: string) => ({ id, ts: new Date().toISOString(), v: 1, from: new Date(Date.now() - 1000).toISOString(), to: new Date().toISOString(), gates: {} });
    // Changed on the way: the hash no longer matches the content.
    await publishAsIntermediary(`${PREFIX}/stats`, JSON.stringify({ ...last, ts: '2020-01-01T00:00:00.000Z' }));
    // The same report again under the next seq (reordered): seq is in its own hash.
    await publishAsIntermediary(`${PREFIX}/stats`, JSON.stringify({ ...last, seq: head.seq + 1 }));
    await waitUntil(async () => (await findings('tampered')).length === 2, () => 'two tampered findings');
    // A well-formed next report that does not link to the verified head.
    await publishAsIntermediary(`${PREFIX}/stats`, stampReport(stats('broken-1'), head.seq + 1, 'ab'.repeat(32)).payload);
    await waitUntil(async () => (await findings('broken-link')).length === 1, () => 'a broken-link finding');
    // A forgery that links correctly: only the gateway's own next report can show it is not the gateway's.
    await publishAsIntermediary(`${PREFIX}/stats`, stampReport(stats('forged-1'), head.seq + 1, head.hash).payload);
    await waitUntil(async () => (await estateOf(live())).completeness.pending === 1, () => 'the forgery held, not stored');
    emitStats(harness, 2);
    await waitComplete(live(), harness);
    expect((await findings('conflict')).map((finding) => finding.seq)).toContain(head.seq + 1);
    const stored = await live().store.reports('test-estate', head.seq + 1, 1);
    expect(stored[0]?.payload).toBe(JSON.stringify(logged(head.seq + 1)));
    expect(await storedSeqs(live())).toEqual(oneTo(gatewayHead(harness).seq));
  }, 40_000);

  it('flags a late report (迟报): its event two hours before it arrived', async () => {
    const eventAt = Date.now() - 2 * 3_600_000;
    const { db, journal, mqtt } = harness.gateway;
    publishStats(db, journal.outbox, mqtt.topics, eventAt - 60_000, eventAt);
    await waitUntil(async () => (await findings('late')).length === 1, () => 'a late finding');
    await waitComplete(live(), harness);
    const [late] = await findings('late');
    const row = (await live().store.reports('test-estate', late?.seq ?? 0, 1))[0];
    expect(row?.late).toBe(1);
  }, 30_000);

  it('answers the API, the page and /metrics', async () => {
    const app = live().http?.app;
    if (!app) throw new Error('no HTTP');
    const head = gatewayHead(harness).seq;
    const estates = (await app.inject({ url: '/api/estates' })).json() as Array<Record<string, unknown>>;
    expect(estates).toEqual([
      expect.objectContaining({ estate: 'test-estate', online: true, silent: false, completeness: expect.objectContaining({ contiguousTo: head, missing: [], explained: [], pending: 0 }), findings: expect.objectContaining({ tampered: 2 }) }),
    ]);
    expect((estates[0] as { lastReportAgeS: number }).lastReportAgeS).toBeLessThan(60);
    const alerts = (await app.inject({ url: '/api/alerts' })).json() as Array<{ alert: { type: string }; verified: boolean }>;
    expect(alerts).toContainEqual(expect.objectContaining({ verified: true, alert: expect.objectContaining({ type: 'device-fault' }) }));
    expect((await app.inject({ url: '/api/findings?kind=late' })).json()).toHaveLength(1);
    expect((await app.inject({ url: '/api/estates/nowhere' })).statusCode).toBe(404);
    const page = await app.inject({ url: '/' });
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<td>test-estate</td><td>online</td>');
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain(`gatewarden_district_estate_contiguous_seq{estate="test-estate"} ${head}`);
    expect(metrics).toMatch(/gatewarden_district_resend_requests_total\{estate="test-estate"\} [1-9]/);
    expect(metrics).toContain('gatewarden_district_findings_total{estate="test-estate",kind="tampered"} 2');
  }, 20_000);

  it('loses nothing across its own restart: what came meanwhile is queued by the broker and stored once', async () => {
    await live().stop();
    receiver = undefined;
    const before = gatewayHead(harness).seq;
    emitStats(harness, 5);
    await waitFor(() => harness.gateway.journal.outbox.stats(Date.now()).depth === 0 && gatewayHead(harness).seq === before + 5, 'the reports handed to the broker while the receiver is away');
    receiver = await start();
    await waitComplete(live(), harness);
    expect(await storedSeqs(live())).toEqual(oneTo(gatewayHead(harness).seq));
    // Through the persistent session, not by asking again.
    expect((await live().http?.app.inject({ url: '/metrics' }))?.body).not.toMatch(/gatewarden_district_resend_requests_total\{estate="test-estate"\} [1-9]/);
  }, 40_000);
}
