/* eslint-disable @typescript-eslint/no-explicit-any -- configs are bent into invalid shapes on purpose */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/mqtt/password-hash.js';
import { harnessConfig, startHarness, waitFor } from '../../support/gateway/gateway-harness.js';
import { describeWithTools } from '../../support/tools/system-tools.js';

/**
 * Issue 11, observation 5, from outside: the built CLI as an operator runs it.
 * `check-config` and `start` refuse the same wiring mistakes, naming the key
 * path and the devices, and `start` refuses before it creates the database
 * or the secrets (npm test builds dist/ first).
 */
const CLI = 'dist/cli.js';
const root = mkdtempSync(join(tmpdir(), 'gatewarden-config-safety-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The harness config with its entry lane on one RS-485 bus: thermometer (unit 1), relay-board barrier (unit 3), lights. */
function busConfig(dir: string, change: (config: Record<string, any>) => void): string {
  const config = harnessConfig(dir) as Record<string, any>;
  const bus = join(dir, 'rs485-north');
  config.devices[1] = { id: 'in-thermo', role: 'thermometer', driver: 'profile', profile: 'thermo-rtu-int16', port: bus, unitId: 1 };
  config.devices[2] = { id: 'in-barrier', role: 'barrier', driver: 'profile', profile: 'barrier-relay-rtu', port: bus, unitId: 3 };
  config.devices.push({ id: 'in-lights', role: 'indicator', driver: 'profile', profile: 'indicator-relay-rtu', port: bus, unitId: 4 });
  config.gates[0].lanes[0].devices.indicator = 'in-lights';
  change(config);
  const path = join(dir, 'gatewarden.yaml');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

function run(args: string[], input: string | Buffer = '') {
  return spawnSync('node', [CLI, ...args], { encoding: 'utf8', timeout: 20_000, input });
}

const BAD_CONFIGS: Array<[string, (config: Record<string, any>) => void, string[]]> = [
  [
    'an indicator on the barrier’s Modbus unit, its green coil the release coil (observation 5)',
    (config) => (config.devices[5].unitId = 3),
    [
      'devices[5] (in-lights).unitId: expected an indicator apart from the barrier\'s release coil, output "green" is coil 0 of unit 3 on ',
      'the release coil of devices[2] (in-barrier): a grant or refer signal would open the barrier',
    ],
  ],
  [
    'two devices on one port at different baud rates (observation 5)',
    (config) => (config.devices[1].baudRate = 19200),
    ['devices[2] (in-barrier).baudRate: expected baudRate 19200 like devices[1] (in-thermo) on port ', 'got 9600 (from profile barrier-relay-rtu)'],
  ],
  [
    'an estate time zone the runtime does not know (found from outside: start opened everything first)',
    (config) => (config.estate.timeZone = 'Mars/Olympus'),
    ['estate.timeZone: expected an IANA time zone such as Asia/Shanghai, "Mars/Olympus" is not one the runtime knows'],
  ],
];

describe('gatewarden check-config and start on a mis-wired bus', () => {
  it('accepts the bus when every device has its own unit and the port one baud rate', () => {
    const dir = mkdtempSync(join(root, 'good-'));
    const checked = run(['check-config', busConfig(dir, () => undefined)]);
    expect(checked.stderr).toBe('');
    expect(checked.status).toBe(0);
  });

  it.each(BAD_CONFIGS)('check-config refuses %s, naming the key path and both devices', (_what, change, expected) => {
    const dir = mkdtempSync(join(root, 'check-'));
    const checked = run(['check-config', busConfig(dir, change)]);
    expect(checked.status).toBe(1);
    expect(checked.stdout).not.toContain(': ok');
    expect(checked.stderr).toContain('GW_CONFIG_INVALID');
    for (const part of expected) expect(checked.stderr).toContain(part);
  });

  it.each(BAD_CONFIGS)('start refuses %s with the same message, before the database or the secrets exist', (_what, change, expected) => {
    const dir = mkdtempSync(join(root, 'start-'));
    const started = run(['start', busConfig(dir, change)]);
    expect(started.status).toBe(1);
    for (const part of expected) expect(started.stderr).toContain(part);
    expect(started.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'gatewarden.db'))).toBe(false);
    expect(existsSync(join(dir, 'secrets.json'))).toBe(false);
  });

  it('accepts an embedded broker given only its type', () => {
    const dir = mkdtempSync(join(root, 'broker-'));
    const path = join(dir, 'gatewarden.yaml');
    writeFileSync(path, JSON.stringify(harnessConfig(dir, { mqtt: { broker: { type: 'embedded' } } })));
    const checked = run(['check-config', path]);
    expect(checked.stderr).toBe('');
    expect(checked.stdout).toBe(`${path}: ok\n`);
  });
});

describe('gatewarden keys hash-password', () => {
  it('hashes the password on stdin into a hash the embedded broker accepts for that password only', async () => {
    const hashed = run(['keys', 'hash-password'], 'gate keeper 门卫 1\n');
    expect(hashed.status).toBe(0);
    expect(hashed.stdout).toMatch(/^scrypt\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+\n$/);
    const passwordHash = hashed.stdout.trim();
    expect(await verifyPassword('gate keeper 门卫 1', passwordHash)).toBe(true);
    expect(await verifyPassword('gate keeper 门卫 1\n', passwordHash)).toBe(false);

    const harness = await startHarness({ mqtt: { broker: { type: 'embedded', host: '127.0.0.1', port: 0, users: [{ username: 'guard-1', role: 'guard', passwordHash }] } } });
    try {
      const client = await mqtt.connectAsync(harness.gateway.mqtt.url, { username: 'guard-1', password: 'gate keeper 门卫 1', protocolVersion: 4, reconnectPeriod: 0 });
      expect(client.connected).toBe(true);
      await client.endAsync();
      await expect(mqtt.connectAsync(harness.gateway.mqtt.url, { username: 'guard-1', password: 'gate keeper', protocolVersion: 4, reconnectPeriod: 0 })).rejects.toThrow();
    } finally {
      await harness.stop();
    }
  });

  it('gives each run its own salt', () => {
    const [first, second] = [run(['keys', 'hash-password'], 'secret'), run(['keys', 'hash-password'], 'secret')];
    expect(first.stdout).toMatch(/^scrypt\$/);
    expect(first.stdout).not.toBe(second.stdout);
  });

  it.each([
    ['nothing', Buffer.alloc(0), 'keys hash-password: expected a password, got an empty one'],
    ['an empty line', Buffer.from('\n'), 'keys hash-password: expected a password, got an empty one'],
    ['two lines', Buffer.from('one\ntwo\n'), 'keys hash-password: expected one line on stdin (the password), got 2'],
    ['bytes that are not UTF-8', Buffer.from([0x70, 0xff, 0xfe]), 'keys hash-password: expected the password as UTF-8 text on stdin'],
  ])('refuses %s with a clear error, no stack trace and exit 1', (_what, input, message) => {
    const refused = run(['keys', 'hash-password'], input);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`GW_COMMAND_INVALID: ${message}`);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });
});

describeWithTools(['script'], 'gatewarden keys hash-password on a terminal', () => {
  /** Runs the command on a pseudo-terminal (util-linux `script`) and types each answer once its prompt shows. */
  async function typed(answers: string[]): Promise<{ screen: string; code: number | null }> {
    const child = spawn('script', ['-qec', `node ${CLI} keys hash-password`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    for (const [i, prompt] of ['password: ', 'again: '].entries()) {
      await waitFor(() => screen.includes(prompt), `the prompt ${prompt}`);
      child.stdin.write(`${answers[i] ?? ''}\r`);
    }
    return { code: await exited, screen };
  }

  it('prompts twice without echoing and prints the hash', async () => {
    const { code, screen } = await typed(['門衛 secret', '門衛 secret']);
    expect(code).toBe(0);
    expect(screen).not.toContain('secret');
    const hash = /scrypt\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+/.exec(screen)?.[0] ?? '';
    expect(await verifyPassword('門衛 secret', hash)).toBe(true);
  });

  it('refuses two different answers', async () => {
    const { code, screen } = await typed(['secret one', 'secret two']);
    expect(code).toBe(1);
    expect(screen).toContain('GW_COMMAND_INVALID: keys hash-password: the two passwords differ; nothing was hashed');
    expect(screen).not.toContain('scrypt$');
  });
});
