/* eslint-disable @typescript-eslint/no-explicit-any -- configs are bent into invalid shapes on purpose */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { topicsFor } from '../../src/contract/topics.js';
import { openDatabase } from '../../src/store/database.js';
import { Journal } from '../../src/store/journal.js';
import { subjectHasher } from '../../src/store/subject-hash.js';
import { harnessConfig, waitFor } from '../../support/gateway/gateway-harness.js';

/** These tests run the built CLI (`npm test` builds first), exactly as an operator would. */
const CLI = 'dist/cli.js';
const dir = mkdtempSync(join(tmpdir(), 'gatewarden-cli-'));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, config: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

describe('gatewarden check-config', () => {
  it('accepts the demo config', () => {
    const run = spawnSync('node', [CLI, 'check-config', 'config/demo.yaml'], { encoding: 'utf8' });
    expect(run.stdout).toContain('config/demo.yaml: ok');
    expect(run.status).toBe(0);
  });

  it('refuses a bad config, naming each key, and exits non-zero', () => {
    const config = harnessConfig(dir) as Record<string, any>;
    config.gates[0].lanes[0].direction = 'sideways';
    config.devices.push({ id: 'extra', role: 'scanner', driver: 'virtual', baud: 9600 });
    const run = spawnSync('node', [CLI, 'check-config', writeConfig('bad.yaml', config)], { encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('GW_CONFIG_INVALID');
    expect(run.stderr).toContain('gates[0].lanes[0].direction: expected one of "in", "out", "both"');
    expect(run.stderr).toContain('devices[5] (extra).baud: unknown key');
  });

  it('refuses to start on a bad config before anything starts', () => {
    const config = harnessConfig(dir) as Record<string, any>;
    config.gates[0].lanes[0].devices.scanner = 'ghost';
    const run = spawnSync('node', [CLI, 'start', writeConfig('ghost.yaml', config)], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('gates[0].lanes[0].devices.scanner: expected the id of a device in devices, "ghost" is not defined');
    expect(() => readFileSync(join(dir, 'gatewarden.db'))).toThrow();
  });
});

describe('gatewarden start on the demo crowd', () => {
  let child: ChildProcess | undefined;
  afterAll(() => child?.kill('SIGKILL'));

  it('runs people through, publishes to MQTT, and exits 0 on SIGINT without losing a row', async () => {
    const runDir = mkdtempSync(join(dir, 'run-'));
    const config = harnessConfig(runDir, { demo: { crowd: true, arrivalEveryMs: 150, seed: 7 } });
    child = spawn('node', [CLI, 'start', writeConfig('crowd.yaml', config)], { env: { ...process.env, GATEWARDEN_LOG_FORMAT: 'json' } });
    const lines: Array<Record<string, unknown>> = [];
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as Record<string, unknown>);
    });
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));

    const listening = await waitFor(() => lines.find((l) => l.msg === 'embedded MQTT broker listening'), 'broker start', 20_000);
    const secrets = JSON.parse(readFileSync(join(runDir, 'secrets.json'), 'utf8')) as { mqttPasswords: Record<string, string> };
    const subscriber = await mqtt.connectAsync(`mqtt://127.0.0.1:${String(listening.port)}`, { username: 'observer', password: secrets.mqttPasswords.observer, protocolVersion: 4 });
    const delivered = new Set<string>();
    subscriber.on('message', (topic, payload) => {
      if (topic.includes('/passages/') || topic.includes('/alerts/')) delivered.add((JSON.parse(payload.toString()) as { id: string }).id);
    });
    await subscriber.subscribeAsync('gatewarden/test-estate/#', { qos: 1 });
    // The crowd starts with the gateway: passages published before this subscription are not ours to count.
    const subscribedAt = Date.now();

    await waitFor(() => lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('passage ')).length >= 8, 'eight decided passages', 30_000);
    expect(lines.some((l) => l.msg === 'passage granted')).toBe(true);
    expect(lines.some((l) => l.msg === 'passage denied' || l.msg === 'passage referred to the guard')).toBe(true);
    await waitFor(() => delivered.size >= 4, 'passages over MQTT', 20_000);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(lines.some((l) => l.msg === 'stopped cleanly')).toBe(true);
    await subscriber.endAsync();

    const db = new Database(join(runDir, 'gatewarden.db'), { readonly: true });
    const passages = db.prepare('SELECT id FROM passages WHERE at > ?').all(subscribedAt) as Array<{ id: string }>;
    const queued = new Set((db.prepare('SELECT payload FROM outbox').all() as Array<{ payload: string }>).map((r) => (JSON.parse(r.payload) as { id: string }).id));
    db.close();
    expect(passages.length).toBeGreaterThanOrEqual(4);
    // Every decided passage was either delivered to the subscriber or is still waiting in the outbox.
    expect(passages.filter((p) => !delivered.has(p.id) && !queued.has(p.id))).toEqual([]);
  });
});

describe('gatewarden keys', () => {
  it('creates a secrets file once and refuses to overwrite it', () => {
    const path = join(dir, 'keys', 'secrets.json');
    const first = spawnSync('node', [CLI, 'keys', 'init', path], { encoding: 'utf8' });
    expect(first.status).toBe(0);
    const secrets = JSON.parse(readFileSync(path, 'utf8')) as { estateKey: string; mqttPasswords: Record<string, string> };
    expect(secrets.estateKey.length).toBeGreaterThanOrEqual(43);
    const again = spawnSync('node', [CLI, 'keys', 'init', path], { encoding: 'utf8' });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('refusing to overwrite');
  });

  it('issues a health pass that the gateway verifies with the generated key', async () => {
    const pair = spawnSync('node', [CLI, 'keys', 'generate', '--kid', 'cli-issuer'], { encoding: 'utf8' });
    const keyFile = join(dir, 'issuer.json');
    writeFileSync(keyFile, pair.stdout);
    const pass = spawnSync('node', [CLI, 'keys', 'issue', '--key', keyFile, '--sub', 'visitor-9', '--col', 'yellow'], { encoding: 'utf8' }).stdout.trim();
    const { readHealthPass } = await import('../../src/core/health-pass.js');
    const { publicKey, kid } = JSON.parse(pair.stdout) as { publicKey: string; kid: string };
    expect(readHealthPass(pass, { issuers: { [kid]: publicKey }, refreshedAt: Date.now(), maxAgeMs: null }, Date.now())).toMatchObject({
      kind: 'health-pass',
      colour: 'yellow',
      problems: [],
    });
  });
});

describe('gatewarden trace', () => {
  it("finds a vehicle's trail by its plate as a person types it, as JSON and as CSV", () => {
    const runDir = mkdtempSync(join(dir, 'trace-'));
    const config = harnessConfig(runDir);
    const configPath = writeConfig('trace.yaml', config);
    expect(spawnSync('node', [CLI, 'keys', 'init', join(runDir, 'secrets.json')], { encoding: 'utf8' }).status).toBe(0);
    const { estateKey } = JSON.parse(readFileSync(join(runDir, 'secrets.json'), 'utf8')) as { estateKey: string };
    const db = openDatabase({ path: join(runDir, 'gatewarden.db'), synchronous: 'normal', log: pino({ level: 'silent' }) });
    const journal = new Journal(db, topicsFor('gatewarden/test-estate'), subjectHasher(Buffer.from(estateKey, 'base64url')));
    const at = Date.now() - 3_600_000;
    for (const [id, plate] of [['v-1', '粤B12345'], ['v-2', 'ZZ99999']] as const) {
      journal.recordPassage({
        id, at, gate: 'main', lane: 'in', direction: 'in', kind: 'vehicle', credential: 'plate', subject: { kind: 'plate', id: plate },
        decision: { verdict: 'grant', reasons: ['VEHICLE_RESIDENT'], rule: 'vehicle', policyVersion: 't' }, temperatureC: null, readings: [], mode: 'normal',
      }, []);
    }
    db.close();

    const json = spawnSync('node', [CLI, 'trace', configPath, '--kind', 'plate', '--subject', '粤b 123-45'], { encoding: 'utf8' });
    expect(json.stderr).toBe('');
    expect(json.status).toBe(0);
    const result = JSON.parse(json.stdout) as { trail: Array<{ passageId: string }>; contacts: Array<{ encounters: number }> };
    expect(result.trail.map((entry) => entry.passageId)).toEqual(['v-1']);
    expect(result.contacts).toMatchObject([{ encounters: 1 }]);
    const csv = spawnSync('node', [CLI, 'trace', configPath, '--kind', 'plate', '--subject', 'ZZ-99999', '--format', 'csv'], { encoding: 'utf8' });
    expect(csv.stdout.trim().split('\r\n')).toEqual(['time,gate,lane,direction,verdict,reasons,temperatureC,outcome,passageId', expect.stringMatching(/,main,in,in,grant,VEHICLE_RESIDENT,,,v-2$/)]);
    const wrongKind = spawnSync('node', [CLI, 'trace', configPath, '--kind', 'van', '--subject', 'x'], { encoding: 'utf8' });
    expect(wrongKind.status).toBe(2);
    expect(wrongKind.stderr).toContain("option '--kind <kind>' argument 'van' is invalid. Allowed choices are card, health-pass, plate");
  });
});
