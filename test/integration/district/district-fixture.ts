import { join } from 'node:path';
import pino from 'pino';
import { validateDistrictConfig } from '../../../src/district/load-config.js';
import { startDistrictReceiver, type DistrictReceiver } from '../../../src/district/receiver.js';
import { publishStats } from '../../../src/mqtt/reports.js';
import { generateEd25519, type KeyPair } from '../../../src/secrets.js';
import { signerOf, trustedKey } from '../../../support/signed-commands.js';
import type { Harness } from '../../../support/gateway/gateway-harness.js';

export const PREFIX = 'gatewarden/test-estate';
export const DISTRICT_USER = 'district-desk';
export const DISTRICT_PASSWORD = 'district-desk-password-1';

/** The district's command key, and the `commands.keys` entry that makes the gateway trust it with role district. */
export const districtKey: KeyPair = generateEd25519('district-1');
export const districtTrusted = trustedKey(signerOf(districtKey, 'district'));

export interface ReceiverSetup {
  url: string | string[];
  /** Where the SQLite file goes, or the PostgreSQL URL. */
  storage: { type: 'sqlite'; dir: string } | { type: 'postgres'; url: string };
  gatewayKey: { kid: string; publicKey: string };
  protocolVersion?: 4 | 5;
  resend?: Record<string, unknown>;
  verify?: Record<string, unknown>;
  /** More registered estates beside test-estate (their gateways need not exist). */
  moreEstates?: ReadonlyArray<{ id: string; kid: string; publicKey: string }>;
}

/** The receiver as `gatewarden district` runs it, on the test's broker and store. */
export function startReceiver(setup: ReceiverSetup): Promise<DistrictReceiver> {
  const config = validateDistrictConfig(
    {
      district: { id: 'test-district', name: 'Test District' },
      broker: { url: setup.url, username: DISTRICT_USER, clientId: `${DISTRICT_USER}-receiver`, protocolVersion: setup.protocolVersion ?? 4 },
      signingKey: { file: 'unused: the key is passed in' },
      estates: [{ id: 'test-estate', kid: setup.gatewayKey.kid, publicKey: setup.gatewayKey.publicKey }, ...(setup.moreEstates ?? [])],
      verify: { lateAfterS: 600, silentAfterMin: 10, ...setup.verify },
      resend: { waitS: 0.5, timeoutS: 3, maxAttempts: 10, ...setup.resend },
      storage: setup.storage.type === 'sqlite' ? { type: 'sqlite', path: join(setup.storage.dir, 'district.db') } : { type: 'postgres', url: setup.storage.url },
      http: { enabled: true, host: '127.0.0.1', port: 0 },
    },
    'test',
  );
  return startDistrictReceiver({
    config,
    log: pino({ level: process.env.GATEWARDEN_TEST_LOG ?? 'silent' }),
    password: DISTRICT_PASSWORD,
    signingKey: districtKey,
    ...(setup.storage.type === 'postgres' ? { postgresUrl: setup.storage.url } : {}),
  });
}

/** The gateway's report head: the last seq it assigned. */
export function gatewayHead(harness: Harness): { seq: number; hash: string } {
  return harness.gateway.db.prepare('SELECT seq, hash FROM report_head').get() as { seq: number; hash: string };
}

/** `count` stats reports through the gateway's outbox, as its timer makes them (each in its own hour, so none replaces another). */
export function emitStats(harness: Harness, count: number): void {
  const { db, journal, mqtt } = harness.gateway;
  const base = Date.now() - count * 1000;
  for (let i = 0; i < count; i += 1) publishStats(db, journal.outbox, mqtt.topics, base + i * 1000 - 1000, base + i * 1000);
}

export async function estateOf(receiver: DistrictReceiver) {
  const estate = (await receiver.estates()).find((summary) => summary.estate === 'test-estate');
  if (!estate) throw new Error('no estate');
  return estate;
}

/** Polls an async check until it returns something other than undefined/false, or fails after `timeoutMs`. */
export async function waitUntil<T>(check: () => Promise<T | undefined | false>, what: () => string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Waits until the receiver holds the gateway's whole stream as verified:
 * contiguous to the gateway's head, nothing missing, shed or pending.
 */
export async function waitComplete(receiver: DistrictReceiver, harness: Harness, timeoutMs = 30_000): Promise<void> {
  let last: unknown;
  await waitUntil(
    async () => {
      const { completeness } = await estateOf(receiver);
      last = completeness;
      return completeness.contiguousTo === gatewayHead(harness).seq && completeness.missing.length === 0 && completeness.explained.length === 0 && completeness.pending === 0;
    },
    () => `the receiver complete to the gateway's head ${gatewayHead(harness).seq} (last seen ${JSON.stringify(last)})`,
    timeoutMs,
  );
}

/** Every stored seq of the estate, in order. */
export async function storedSeqs(receiver: DistrictReceiver): Promise<number[]> {
  return (await receiver.store.reports('test-estate', 0, 100_000)).map((row) => row.seq);
}

export const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
