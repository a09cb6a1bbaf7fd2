import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExportGateway } from '../../../src/cli/export-gateway.js';
import { ed25519PublicKey } from '../../../src/contract/signature.js';
import { PassIssuer } from '../../../src/demo/pass-issuer.js';
import { verifyCheckpoint, verifyStream } from '../../../src/district/verify-stream.js';
import { hashPassword } from '../../../src/mqtt/password-hash.js';
import { publishStats } from '../../../src/mqtt/reports.js';
import { generateEd25519 } from '../../../src/secrets.js';
import { toRanges } from '../../../src/store/report-chain-format.js';
import { harnessConfig, startHarness, waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';
import { auditRows, commandBody, TestClient } from './mqtt-test-client.js';

const prefix = 'gatewarden/test-estate';
const issuerKey = generateEd25519('issuer-1');
const issuer = new PassIssuer(issuerKey.kid, issuerKey.privateKey);
const nowS = () => Math.floor(Date.now() / 1000);
const DISTRICT_PASSWORD = 'district-desk-password-1';
/** Reports in the chain; the checkpoint, status, mode, devices, health and replies are outside it (docs/district.md). */
const CHAINED = /^gatewarden\/test-estate\/(passages\/|alerts\/|stats$|audit$|gap$)/;

/**
 * The report stream (issue 15, part 1) on a real SQLite file and the real
 * embedded broker: what a district subscriber receives verifies with the key
 * `gatewarden keys export-gateway` prints; a shed range is named by a signed
 * gap record and filled by cmd/resend, byte for byte; a manager may not ask.
 */
describe('the report stream a district can verify', () => {
  let harness: Harness;
  let district: TestClient;
  let manager: TestClient;
  let configFile: string;
  const overrides = {
    commands: { requireSignature: false },
    trust: { maxAgeHours: 24, issuers: [{ kid: issuerKey.kid, publicKey: issuerKey.publicKey }] },
    mqtt: {
      broker: { type: 'embedded', host: '127.0.0.1', port: 0, users: [{ username: 'district-desk', role: 'district', passwordHash: hashPassword(DISTRICT_PASSWORD) }] },
      checkpointEveryS: 1,
      outbox: { maxRows: 100, window: 64 },
    },
  };

  beforeAll(async () => {
    harness = await startHarness(overrides);
    // The same config as a file, for the CLI's export (same secrets file, so the same key).
    configFile = join(harness.dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ ...harnessConfig(harness.dir, overrides), storage: { path: join(harness.dir, 'gatewarden.db'), synchronous: 'normal' } }));
    district = await TestClient.connect({ url: harness.gateway.mqtt.url, prefix, username: 'district-desk', password: DISTRICT_PASSWORD });
    await district.subscribe('#');
    manager = await TestClient.connect({ url: harness.gateway.mqtt.url, prefix, username: 'manager', password: harness.gateway.secrets.mqttPasswords.manager });
    await manager.subscribe('cmd/+/reply');
  });

  afterAll(async () => {
    await district?.end();
    await manager?.end();
    await harness?.stop();
  });

  const db = () => harness.gateway.db;
  const head = () => db().prepare('SELECT seq, hash FROM report_head').get() as { seq: number; hash: string };
  const key = () => ed25519PublicKey((JSON.parse(runExportGateway(configFile)) as { publicKey: string }).publicKey);
  const received = () => district.received.filter((m) => CHAINED.test(m.topic));
  const reports = () => received().map((m) => JSON.parse(m.payload.toString()) as Record<string, unknown>);
  const hashAt = (seq: number) => reports().find((r) => r.seq === seq)?.hash as string | undefined;
  /**
   * Sends cmd/resend as the district and returns the whole reply, `data` included: the generic `…/reply` carries none
   * (docs/mqtt.md, "Replies"), so it is read from the audit row, which stores the reply the requester was sent.
   */
  const resend = async (id: string, range: { fromSeq: number; toSeq: number }) => {
    const generic = await district.send('resend', commandBody(id, range));
    expect(generic).toMatchObject({ ok: true });
    const row = db().prepare('SELECT reply FROM audit WHERE command_id = ?').get(id) as { reply: string };
    return JSON.parse(row.reply) as Record<string, unknown>;
  };
  const gapRanges = () => toRanges(district.json('gap').flatMap((g) => (g.ranges as Array<{ from: number; to: number }>).flatMap((r) => Array.from({ length: r.to - r.from + 1 }, (_, i) => r.from + i))));
  const checkpointAtHead = () => waitFor(() => district.json('checkpoint').find((c) => c.seq === head().seq && reports().some((r) => r.seq === head().seq)), 'a checkpoint of the head, after the head itself', 10_000);

  it('every report received carries a contiguous seq and a valid link, and a checkpoint verifies with the exported key', async () => {
    harness.thermometer('in-thermo').present(36.6);
    harness.barrier('in-barrier').expectWalk(50);
    harness.scanner('in-scanner').scan(issuer.issue({ sub: 'resident-1', col: 'green', iat: nowS() - 60, exp: nowS() + 3600 }));
    await waitFor(() => harness.passages.length === 1 && harness.gateway.lanes.get('main/in')?.phase === 'idle', 'a passage');
    expect(await manager.send('lockdown', commandBody('chain-lockdown', { reason: 'confirmed case', by: 'manager-zhang' }))).toMatchObject({ ok: true });
    expect(await manager.send('mode', commandBody('chain-normal', { mode: 'normal', reason: 'lifted', by: 'manager-zhang' }))).toMatchObject({ ok: true });
    harness.thermometer('in-thermo').setOnline(false);
    await waitFor(() => district.json('alerts/device-fault').length > 0, 'device-fault alert');

    const checkpoint = await checkpointAtHead();
    const verdict = verifyStream(reports(), { key: key() });
    expect(verdict).toMatchObject({ contiguousTo: head().seq, missing: [], explained: [], findings: [] });
    expect(head().seq).toBeGreaterThanOrEqual(4);
    expect(verifyCheckpoint(checkpoint, key(), hashAt)).toEqual([]);
    // A mode change is in the chain: the audit summary carries the mode the command set.
    expect(district.json('audit').find((a) => a.commandId === 'chain-lockdown')).toMatchObject({ ok: true, mode: { mode: 'lockdown', reason: 'confirmed case' } });
    // What was published is what is kept for a resend, byte for byte.
    for (const message of received()) {
      const seq = (JSON.parse(message.payload.toString()) as { seq: number }).seq;
      expect((db().prepare('SELECT payload FROM report_log WHERE seq = ?').get(seq) as { payload: string }).payload).toBe(message.payload.toString());
    }
  }, 30_000);

  it('export-gateway before the first start says to start the gateway once, rather than to set what is already set', () => {
    const fresh = join(harness.dir, 'fresh.json');
    writeFileSync(fresh, JSON.stringify({ ...harnessConfig(harness.dir, overrides), secrets: { path: join(harness.dir, 'not-yet', 'secrets.json'), generate: true } }));
    expect(() => runExportGateway(fresh)).toThrow(expect.objectContaining({ code: 'GW_SECRETS_MISSING', details: [expect.stringContaining('gatewarden start')] }));
  });

  it('a shed range leaves a signed gap record; cmd/resend by the district fills it with byte-identical reports', async () => {
    const before = head().seq;
    // 130 stats reports over a 100-row bound, queued and checked in one tick: the publisher drains on the next (setImmediate),
    // so the outbox is as full as a long broker outage leaves it.
    const { journal } = harness.gateway;
    for (let i = 0; i < 130; i += 1) publishStats(db(), journal.outbox, harness.gateway.mqtt.topics, i * 1000, i * 1000 + 1000);
    harness.gateway.mqtt.guard.check();
    const gap = await waitFor(() => district.json('gap')[0], 'the gap record', 15_000);
    expect(gap).toMatchObject({ reason: 'outbox-full', outbox: 'outbox', kid: expect.any(String), sig: expect.any(String) });
    await checkpointAtHead();

    // Every shed row is named (a later bound check may shed the checkpoint's neighbours too: a second record).
    const shed = gapRanges();
    const verdict = verifyStream(reports(), { key: key() });
    expect(verdict).toMatchObject({ missing: [], explained: shed, findings: [], contiguousTo: head().seq });
    expect(shed[0]!.from).toBeGreaterThan(before);

    // The range starts one report before the gap: one the district already holds, to compare byte for byte.
    const fromSeq = shed[0]!.from - 1;
    const toSeq = shed[0]!.to;
    const firstCopy = received().find((m) => (JSON.parse(m.payload.toString()) as { seq: number }).seq === fromSeq)!.payload;
    const reply = await resend('chain-resend', { fromSeq, toSeq });
    expect(reply).toMatchObject({ ok: true, data: { fromSeq, toSeq, resent: toSeq - fromSeq + 1, missing: [] } });
    await waitFor(() => received().filter((m) => (JSON.parse(m.payload.toString()) as { seq: number }).seq === fromSeq).length === 2 && hashAt(toSeq), 'the resent reports');
    const copies = received().filter((m) => (JSON.parse(m.payload.toString()) as { seq: number }).seq === fromSeq);
    expect(copies[1]!.payload.equals(firstCopy)).toBe(true);
    const filled = verifyStream(reports(), { key: key() });
    expect(filled).toMatchObject({ missing: [], explained: [], findings: [], contiguousTo: head().seq });
    expect(filled.duplicates).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('a resend beyond what is kept says which part is gone', async () => {
    db().prepare('DELETE FROM report_log WHERE seq <= 2').run(); // as retention would
    const top = head().seq;
    const reply = await resend('chain-resend-gone', { fromSeq: 1, toSeq: top + 2 });
    expect(reply).toMatchObject({
      ok: true,
      data: { resent: top - 2, missing: [{ from: 1, to: 2, reason: 'purged' }, { from: top + 1, to: top + 2, reason: 'not-assigned' }] },
    });
  }, 20_000);

  it('refuses cmd/resend from a manager, with a reply and an audit row (and its summary in the chain)', async () => {
    // The broker refuses the publish and, on MQTT 3.1.1, closes that session ([MQTT-3.3.5-2]); the gateway still answers on …/reply.
    const refused = await TestClient.connect({ url: harness.gateway.mqtt.url, prefix, username: 'manager', password: harness.gateway.secrets.mqttPasswords.manager });
    refused.client.on('error', () => {});
    refused.client.publish(`${prefix}/cmd/resend`, JSON.stringify(commandBody('chain-resend-manager', { fromSeq: 1, toSeq: 2 })), { qos: 1 });
    const reply = await waitFor(() => district.json('cmd/resend/reply').find((r) => r.id === 'chain-resend-manager'), 'the refusal reply');
    refused.client.end(true);
    expect(reply).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_UNAUTHORIZED' } });
    expect(auditRows(db(), 'chain-resend-manager')).toEqual([{ ok: 0, code: 'GW_COMMAND_UNAUTHORIZED' }]);
    await waitFor(() => district.json('audit').find((a) => a.commandId === 'chain-resend-manager' && a.ok === false), 'the refusal in the chain');
  }, 20_000);
});
