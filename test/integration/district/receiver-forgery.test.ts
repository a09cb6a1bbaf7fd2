import { afterAll, beforeAll, expect, it } from 'vitest';
import type { DistrictReceiver } from '../../../src/district/receiver.js';
import { hashPassword } from '../../../src/mqtt/password-hash.js';
import { reportSigner, stampReport } from '../../../src/store/report-chain-format.js';
import { startHarness, type Harness } from '../../../support/gateway/gateway-harness.js';
import { DISTRICT_PASSWORD, DISTRICT_USER, districtTrusted, emitStats, estateOf, gatewayHead, oneTo, PREFIX, startReceiver, storedSeqs, waitComplete, waitUntil } from './district-fixture.js';

/**
 * An intermediary who can publish on the broker path forges the next two
 * reports, each linking correctly to the one before (hash recomputed), before
 * the gateway's own arrive (issue 15, the tester's forge.py). Only the
 * gateway's signed checkpoint may make a report verified: the forgeries stay
 * pending until it names the gateway's chain, then lose; the receiver's
 * restart in between changes nothing.
 */
let harness: Harness;
let receiver: DistrictReceiver | undefined;
let dir: string;

beforeAll(async () => {
  harness = await startHarness({
    commands: { keys: [districtTrusted] },
    mqtt: {
      broker: { type: 'embedded', host: '127.0.0.1', port: 0, users: [{ username: DISTRICT_USER, role: 'district', passwordHash: hashPassword(DISTRICT_PASSWORD) }] },
      checkpointEveryS: 1,
    },
  });
  dir = harness.dir;
  receiver = await start();
}, 60_000);

afterAll(async () => {
  await receiver?.stop();
  await harness?.stop();
});

function start(): Promise<DistrictReceiver> {
  const key = harness.gateway.secrets.gatewayKey;
  if (!key) throw new Error('the gateway made no key');
  return startReceiver({ url: harness.gateway.mqtt.url, storage: { type: 'sqlite', dir }, gatewayKey: { kid: key.kid, publicKey: key.publicKey } });
}

const live = () => receiver as DistrictReceiver;
const findings = async (kind: string) => live().store.findings({ estate: 'test-estate', kind, limit: 1000 });
const logged = (seq: number) => (harness.gateway.db.prepare('SELECT payload FROM report_log WHERE seq = ?').get(seq) as { payload: string }).payload;

it('keeps two correctly linked forgeries pending and stores the chain the signed checkpoint names', async () => {
  emitStats(harness, 2);
  await waitComplete(live(), harness);
  const head = gatewayHead(harness);
  // The forger saw report `head` go by and publishes seq head+1 and head+2, each linked to the one before.
  const forged1 = stampReport({ id: 'forged-1', ts: new Date().toISOString(), v: 1, gates: {} }, head.seq + 1, head.hash);
  const forged2 = stampReport({ id: 'forged-2', ts: new Date().toISOString(), v: 1, gates: {} }, head.seq + 2, forged1.hash);
  for (const forged of [forged1, forged2]) await harness.gateway.mqtt.connection.client.publishAsync(`${PREFIX}/stats`, forged.payload, { qos: 1 });
  await waitUntil(async () => (await estateOf(live())).completeness.pending === 2, () => 'both forgeries held as pending');
  // No signed checkpoint names them: nothing is stored beyond the head.
  expect(await storedSeqs(live())).toEqual(oneTo(head.seq));

  // Both candidates survive the receiver's restart; the gateway's own reports come meanwhile.
  await live().stop();
  receiver = undefined;
  emitStats(harness, 3);
  receiver = await start();
  await waitComplete(live(), harness);
  expect(await storedSeqs(live())).toEqual(oneTo(gatewayHead(harness).seq));
  for (const seq of [head.seq + 1, head.seq + 2]) expect((await live().store.reports('test-estate', seq, 1))[0]?.payload).toBe(logged(seq));
  expect((await findings('forged')).map((finding) => finding.seq).sort()).toEqual([head.seq + 1, head.seq + 2]);
  expect(await findings('checkpoint-mismatch')).toEqual([]);
}, 60_000);

it('flags a stored chain that a later signed checkpoint contradicts', async () => {
  const key = harness.gateway.secrets.gatewayKey;
  if (!key) throw new Error('the gateway made no key');
  const head = gatewayHead(harness);
  const unsigned = { id: 'contradicting', ts: new Date().toISOString(), v: 1, seq: head.seq, hash: 'cd'.repeat(32), kid: key.kid };
  const checkpoint = { ...unsigned, sig: reportSigner(key).sign(unsigned) };
  await harness.gateway.mqtt.connection.client.publishAsync(`${PREFIX}/checkpoint`, JSON.stringify(checkpoint), { qos: 1 });
  await waitUntil(async () => (await findings('checkpoint-mismatch')).length === 1, () => 'a checkpoint-mismatch finding');
}, 30_000);
