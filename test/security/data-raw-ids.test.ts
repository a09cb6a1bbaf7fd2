import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SimEstate } from '../../support/sim/estate.js';
import { validateConfig } from '../../src/config/load-config.js';
import { hashApiToken } from '../../src/http/api-tokens.js';
import { blackboxDir, OpenSslIssuer } from '../blackbox/gateway-process.js';
import { harnessConfig, waitFor } from '../../support/gateway/gateway-harness.js';
import { freePort } from '../../support/brokers/mosquitto.js';
import { describeWithTools } from '../../support/tools/system-tools.js';
import { cli, DataProcess } from './data-process.js';

/**
 * Issue 12, observations 3 and 12, against the real process: people pass a
 * QR scanner on a pty (card UID, health passes signed by openssl, a visitor
 * pass, a fever), a manager issues a visitor pass and the approver an exit
 * pass over HTTP, a signed `gatewarden cmd` puts someone on the quarantine
 * list, and the trail is looked up over HTTP, exported and traced from the
 * shell. Then every text column of every table of the SQLite file, the
 * database files' bytes and every line the process logged (at debug level)
 * are searched for each raw subject id and pass text used: none may appear.
 * The lookups each left an audit row naming who asked and the person's hash.
 */

const WALK_MS = 100;
const RESIDENT = { uid: '04C0FFEE99', subject: 'resident-raw-4411' };
const VISITOR = 'visitor-raw-7781';
const FEVER = 'fever-raw-3302';
const EXIT = 'exit-raw-5520';
const QUARANTINED = 'quarantine-raw-9907';
const TOKENS = { manager: `gw_${randomBytes(32).toString('base64url')}`, approver: `gw_${randomBytes(32).toString('base64url')}`, auditor: `gw_${randomBytes(32).toString('base64url')}` };

describeWithTools(['socat', 'openssl'], 'no raw subject id or pass text at rest or in the log; lookups audited (issue 12)', () => {
  const { dir, remove } = blackboxDir();
  const configPath = join(dir, 'gateway.json');
  /** Every raw id and pass text the run used: none may be stored or logged. */
  const raw = new Set<string>([RESIDENT.uid, RESIDENT.subject, VISITOR, FEVER, EXIT, QUARANTINED]);
  let estate: SimEstate;
  let gateway: DataProcess;
  let apiUrl = '';
  let brokerPort = 0;
  let issuer: OpenSslIssuer;

  const http = (method: string, path: string, role: keyof typeof TOKENS, body?: unknown) =>
    fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKENS[role]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const passes = () => gateway.lines.filter((line) => typeof line.msg === 'string' && line.msg.startsWith('passage ') && line.passage !== undefined);
  /** Shows `texts` at the scanner one after another, then a temperature; resolves with the passage the lane decided. */
  async function walk(texts: string[], celsius: number): Promise<Record<string, unknown>> {
    const before = passes().length;
    for (const text of texts) {
      estate.line('main-qr').send(text);
      await sleep(150);
    }
    estate.setTemperature('main-thermo', celsius);
    const passage = await waitFor(() => passes()[before], 'a passage', 8000);
    await sleep(WALK_MS + 400);
    return passage;
  }
  const pass = (sub: string) => {
    const text = issuer.issue({ sub });
    raw.add(text);
    // The signed payload alone, as a store that kept only part of the pass would.
    raw.add(text.slice('HP1:'.length).split('.')[0] ?? text);
    return text;
  };

  beforeAll(async () => {
    issuer = new OpenSslIssuer(dir, 'district-health');
    const port = (name: string) => join(dir, name);
    const device = (id: string, role: string, profile: string) => ({ id, role, driver: 'profile', profile, port: port(id) });
    brokerPort = await freePort();
    const config = harnessConfig(dir, {
      estate: { id: 'rawscan', name: 'Raw-scan Estate' },
      gates: [{ id: 'main', name: 'Main gate', lanes: [{ id: 'in', direction: 'in', devices: { scanner: 'main-qr', thermometer: 'main-thermo', barrier: 'main-barrier' } }] }],
      devices: [device('main-qr', 'scanner', 'scanner-qr-cr'), device('main-thermo', 'thermometer', 'thermo-ascii-push'), device('main-barrier', 'barrier', 'barrier-serial-ack')],
      policy: { version: 'raw-1', pairingWindowMs: 1500, measureTimeoutMs: 3000, passageTimeoutMs: 2000, readingFreshnessMs: 250 },
      trust: { maxAgeHours: null, issuers: [{ kid: issuer.kid, publicKey: issuer.publicKey }] },
      roster: { cards: [{ uid: RESIDENT.uid, subject: RESIDENT.subject, role: 'resident', household: '1-101' }] },
      mqtt: { broker: { type: 'embedded', host: '127.0.0.1', port: brokerPort } },
      http: { enabled: true, host: '127.0.0.1', port: await freePort(), tokens: Object.entries(TOKENS).map(([role, token]) => ({ name: `raw-${role}`, role, hash: hashApiToken(token) })) },
      // Debug lines too: a driver or lane that logs what it read must show up here.
      log: { level: 'debug' },
    });
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    estate = await SimEstate.start(validateConfig(config, configPath), { walkThroughMs: WALK_MS });
    gateway = await DataProcess.spawn(configPath).running();
    apiUrl = String((await waitFor(() => gateway.line('guard-room page and API listening'), 'the API')).url);
    await waitFor(() => ['main-qr', 'main-thermo', 'main-barrier'].every((id) => gateway.lines.some((l) => l.msg === 'serial port open' && String(l.path).endsWith(id))), 'serial ports open', 15_000);
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await estate?.stop();
    remove();
  }, 20_000);

  it('leaves no raw subject id or pass text in any table, the database files or the log, and audits every lookup', async () => {
    // A resident: card, then their own health pass.
    expect(await walk([RESIDENT.uid, pass(RESIDENT.subject)], 36.6)).toMatchObject({ verdict: 'grant' });

    // A visitor pass issued over HTTP, shown with the visitor's health pass.
    const now = Date.now();
    const issued = await http('POST', '/api/visitors', 'manager', { subject: VISITOR, hostHousehold: '1-101', validFrom: new Date(now - 60_000).toISOString(), validUntil: new Date(now + 3_600_000).toISOString() });
    expect(issued.status).toBe(200);
    const { code } = (await issued.json()) as { code: string };
    expect(code).toMatch(/^VP1:/);
    raw.add(code);
    await walk([code, pass(VISITOR)], 36.7);

    // A fever: a passage and its alerts.
    const feverish = await walk([pass(FEVER)], 38.9);
    expect(feverish.verdict).not.toBe('grant');

    // An exit pass by the approver, a quarantine entry by a signed command from the shell.
    expect((await http('POST', '/api/exit-passes', 'approver', { subject: EXIT, household: '1-101', reason: 'hospital visit', returnBy: new Date(now + 7_200_000).toISOString() })).status).toBe(200);
    const { mqttPasswords } = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as { mqttPasswords: Record<string, string> };
    const listed = await cli(
      ['cmd', 'lists', JSON.stringify({ list: 'quarantine', version: 'raw-1', entries: [{ subject: QUARANTINED }], ts: new Date().toISOString() }), '--key', join(dir, 'secrets.json'), '--broker', `mqtt://127.0.0.1:${brokerPort}`, '--estate', 'rawscan', '--user', 'manager'],
      { GATEWARDEN_MQTT_PASSWORD: mqttPasswords.manager ?? '' },
    );
    expect(listed.code, listed.stderr + listed.stdout).toBe(0);

    // Lookups: the visitor's trail over HTTP (JSON and CSV), the passage export, the resident's trail from the shell.
    const traced = await http('GET', `/api/trace?subject=${VISITOR}&kind=health-pass`, 'auditor');
    expect(traced.status).toBe(200);
    const { subject: visitorHash, trail } = (await traced.json()) as { subject: string; trail: unknown[] };
    expect(trail.length).toBeGreaterThan(0);
    expect((await http('GET', `/api/trace?subject=${VISITOR}&kind=health-pass&format=csv&output=contacts&bom=1`, 'manager')).status).toBe(200);
    const exported = await http('GET', '/api/passages.csv?gate=main&limit=100', 'auditor');
    expect(exported.status).toBe(200);
    expect((await exported.text()).split('\r\n').length).toBeGreaterThan(3);
    const shellTrace = await cli(['trace', configPath, '--subject', RESIDENT.uid, '--kind', 'card']);
    expect(shellTrace.code, shellTrace.stderr).toBe(0);
    const residentHash = (JSON.parse(shellTrace.stdout) as { subject: string }).subject;

    await gateway.stop();

    const db = new Database(join(dir, 'gatewarden.db'), { readonly: true });
    try {
      const found: string[] = [];
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string }>;
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['passages', 'alerts', 'audit', 'commands', 'outbox', 'lists', 'visitor_passes', 'exit_passes']));
      for (const { name } of tables) {
        const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name) as Array<{ name: string }>;
        for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Array<Record<string, unknown>>) {
          for (const { name: column } of columns) {
            const value = row[column];
            if (typeof value !== 'string') continue;
            for (const text of raw) if (value.includes(text)) found.push(`${name}.${column} holds ${JSON.stringify(text.slice(0, 24))}`);
          }
        }
      }
      expect(found, 'raw ids in the database').toEqual([]);

      // Who looked up whom: hashes and ranges, never the raw id.
      const lookups = db.prepare("SELECT name, via, principal, role, body FROM audit WHERE name IN ('trace', 'passages-export') ORDER BY seq").all() as Array<{ name: string; via: string; principal: string; role: string; body: string }>;
      expect(lookups.map(({ name, via, principal }) => [name, via, principal])).toEqual([
        ['trace', 'http', 'raw-auditor'],
        ['trace', 'http', 'raw-manager'],
        ['passages-export', 'http', 'raw-auditor'],
        ['trace', 'cli', `cli:${userInfo().username}`],
      ]);
      const bodies = lookups.map((row) => JSON.parse(row.body) as { subjects: string[]; from: string | null; to: string | null; filter?: Record<string, unknown> });
      expect(bodies[0]?.subjects).toContain(visitorHash);
      expect(bodies[0]?.from).toMatch(/^\d{4}-/);
      expect(bodies[2]?.filter).toMatchObject({ gate: 'main', limit: 100 });
      expect(bodies[3]?.subjects).toContain(residentHash);
    } finally {
      db.close();
    }

    // The files' bytes too (free pages, what the WAL still holds), the secrets file aside.
    for (const file of readdirSync(dir).filter((name) => name.startsWith('gatewarden.db'))) {
      const bytes = readFileSync(join(dir, file)).toString('latin1');
      for (const text of raw) expect(bytes.includes(text), `${file} holds ${text.slice(0, 24)}`).toBe(false);
    }

    const log = `${gateway.text.join('\n')}\n${gateway.stderr}`;
    expect(gateway.lines.filter((line) => line.level === 20).length, 'debug lines were logged and searched').toBeGreaterThan(0);
    for (const text of raw) expect(log.includes(text), `the log holds ${text.slice(0, 24)}`).toBe(false);
  }, 90_000);
});
