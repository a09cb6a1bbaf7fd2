import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateEd25519 } from '../../../src/secrets.js';
import { stampReport } from '../../../src/store/report-chain-format.js';
import { freePort } from '../../../support/brokers/mosquitto.js';
import { NATS_TOOLS, startNatsCluster, type NatsCluster } from '../../../support/brokers/nats-cluster.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { DISTRICT_PASSWORD, DISTRICT_USER, districtKey, waitUntil } from './district-fixture.js';

/** A clean stop answers a signal well within this (the session's end is bounded at 2 s, the whole stop at 10 s). */
const EXITS_WITHIN_MS = 8_000;

/**
 * `gatewarden district` as an operator runs it (`node dist/cli.js district`,
 * build first), stopped by a signal: it must end its MQTT session, close its
 * store and exit 0, also when the session is stuck (no broker answers) and
 * when a cmd/resend it sent is still unanswered (the state the fan-in bench
 * once found it unable to leave: docs/BENCHMARKS.md, "Fan-in").
 */
describeWithTools(NATS_TOOLS, 'gatewarden district stops on SIGTERM and SIGINT', () => {
  let cluster: NatsCluster;
  let dir: string;
  const gatewayKey = generateEd25519('gateway-signals');
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-district-cli-'));
    writeFileSync(join(dir, 'district-key.json'), JSON.stringify(districtKey), { mode: 0o600 });
    cluster = await startNatsCluster({ users: [{ username: DISTRICT_USER, password: DISTRICT_PASSWORD }], size: 1 });
  }, 60_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the CLI on `url` with its own store; resolves once it logs that it runs. */
  const startCli = async (name: string, url: string) => {
    const config = {
      district: { id: 'signals' },
      broker: { url, username: DISTRICT_USER, passwordEnv: 'TEST_DISTRICT_PASSWORD', clientId: `${DISTRICT_USER}-${name}`, protocolVersion: 4 },
      signingKey: { file: join(dir, 'district-key.json') },
      estates: [{ id: 'test-estate', kid: gatewayKey.kid, publicKey: gatewayKey.publicKey }],
      resend: { waitS: 0, timeoutS: 60 },
      storage: { type: 'sqlite', path: join(dir, `${name}.db`) },
      http: { port: 0 },
    };
    writeFileSync(join(dir, `${name}.json`), JSON.stringify(config));
    const child = spawn(process.execPath, ['dist/cli.js', 'district', join(dir, `${name}.json`)], {
      env: { ...process.env, TEST_DISTRICT_PASSWORD: DISTRICT_PASSWORD, GATEWARDEN_LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitUntil(async () => output.includes('district receiver running'), () => `the receiver running (exit ${child.exitCode}, output ${output.slice(-2000)})`, 30_000);
    return { child, log: () => output };
  };

  const exitOn = async (child: ChildProcess, signal: NodeJS.Signals) => {
    const startedAt = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (exitCode) => resolve(exitCode));
      child.kill(signal);
    });
    return { code, ms: Date.now() - startedAt };
  };

  it('exits 0 on SIGTERM while no broker answers (the session retrying)', async () => {
    const { child, log } = await startCli('no-broker', `mqtt://127.0.0.1:${await freePort()}`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { code, ms } = await exitOn(child, 'SIGTERM');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(EXITS_WITHIN_MS);
    expect(log()).toContain('shutting down');
  }, 60_000);

  it('exits 0 on SIGTERM and on SIGINT with a resend request outstanding, its state saved', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const name = `resend-${signal}`;
      const url = cluster.mqttUrls[0] as string;
      const { child } = await startCli(name, url);
      // A report numbered 5 with nothing before it: the receiver asks for 1–4 at once, and no gateway answers.
      const publisher = await mqtt.connectAsync(url, { username: DISTRICT_USER, password: DISTRICT_PASSWORD, clientId: `publisher-${signal}`, protocolVersion: 4 });
      const asked = new Promise<void>((resolve) => publisher.on('message', () => resolve()));
      await publisher.subscribeAsync('gatewarden/test-estate/cmd/resend', { qos: 1 });
      const report = stampReport({ id: `out-of-line-${signal}`, ts: new Date().toISOString(), v: 1 }, 5, 'ab'.repeat(32)).payload;
      await waitUntil(
        async () => {
          await publisher.publishAsync('gatewarden/test-estate/stats', report, { qos: 1 });
          return Promise.race([asked.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 1000))]);
        },
        () => 'the receiver asking for a resend',
        30_000,
      );
      await publisher.endAsync();
      const { code, ms } = await exitOn(child, signal);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(EXITS_WITHIN_MS);
      const db = new Database(join(dir, `${name}.db`), { readonly: true });
      const saved = db.prepare('SELECT missing FROM estates WHERE estate = ?').get('test-estate') as { missing: string } | undefined;
      db.close();
      expect(JSON.parse(saved?.missing ?? '[]')).toEqual([{ from: 1, to: 4 }]);
    }
  }, 120_000);
});
