import { readIssuedTokens } from '../../../src/issued-tokens.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harnessConfig, waitFor } from '../../../support/gateway/gateway-harness.js';

/**
 * Black box: `node dist/cli.js start` as an operator runs it (build first),
 * driven only over MQTT with mqtt.js and its HTTP API, then its database read
 * after a clean stop. The generated secrets give the approver (the local
 * epidemic-control group, estate plan rule 4) its own MQTT password and API
 * token; its exit pass is accepted, the manager's refused, both audited.
 */
describe('the approver path on the real gateway process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatewarden-approver-'));
  const prefix = 'gatewarden/test-estate';
  const lines: Array<Record<string, unknown>> = [];
  const replies: Array<{ topic: string; body: Record<string, unknown> }> = [];
  let child: ChildProcess | undefined;
  let approver: MqttClient | undefined;
  let manager: MqttClient | undefined;
  let port = 0;
  let apiUrl = '';
  const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
  const reply = (id: string) => waitFor(() => replies.find((r) => r.body.id === id), `reply to ${id}`);

  beforeAll(async () => {
    // Unsigned on purpose: this file is about the command path, not signatures (test/security/commands-*.test.ts).
    const config = harnessConfig(dir, { http: { enabled: true, host: '127.0.0.1', port: 0 }, commands: { requireSignature: false } });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    child = spawn(process.execPath, ['dist/cli.js', 'start', join(dir, 'config.json')], { env: { ...process.env, GATEWARDEN_LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const parts = (buffered + chunk.toString()).split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) if (part.trim().startsWith('{')) lines.push(JSON.parse(part) as Record<string, unknown>);
    });
    port = Number((await waitFor(() => lines.find((l) => l.msg === 'embedded MQTT broker listening'), 'the broker', 30_000)).port);
    apiUrl = String((await waitFor(() => lines.find((l) => l.msg === 'guard-room page and API listening'), 'the API', 30_000)).url);
    await waitFor(() => lines.some((l) => l.msg === 'gateway running'), 'gateway running', 30_000);
    const { mqttPasswords } = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as { mqttPasswords: Record<string, string> };
    const connect = async (username: string) => {
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { username, password: mqttPasswords[username], reconnectPeriod: 0 });
      client.on('message', (topic, payload) => replies.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
      await client.subscribeAsync(`${prefix}/cmd/+/reply`, { qos: 1 });
      return client;
    };
    approver = await connect('approver');
    manager = await connect('manager');
  }, 60_000);

  afterAll(async () => {
    await approver?.endAsync(true);
    await manager?.endAsync(true);
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the approver\'s exit pass and revocation, refuses the manager\'s, and audits all of them', async () => {
    const body = (id: string, by: string) => ({ id, v: 1, ts: new Date().toISOString(), passId: `pass-${id}`, subject: 'resident-1', reason: 'hospital appointment', returnBy: inHours(4), by });
    await approver!.publishAsync(`${prefix}/cmd/exit-pass`, JSON.stringify(body('bb-apr-1', 'approver-chen')), { qos: 1 });
    // …/reply carries the outcome; data goes to the requester's own reply topic.
    expect((await reply('bb-apr-1')).body).toMatchObject({ ok: true });
    // A subject nobody knows is accepted with a warning, not a silent ok.
    await approver!.publishAsync(`${prefix}/cmd/exit-pass`, JSON.stringify({ ...body('bb-apr-2', 'approver-chen'), subject: 'resident-404' }), { qos: 1 });
    expect((await reply('bb-apr-2')).body).toMatchObject({ ok: true, warnings: [expect.stringMatching(/^subject [\w-]{22} matches no roster card, visitor registration or recorded passage$/)] });
    await approver!.publishAsync(`${prefix}/cmd/revoke-pass`, JSON.stringify({ id: 'bb-apr-3', v: 1, pass: 'exit', passId: 'pass-bb-apr-2', reason: 'issued by mistake', by: 'approver-chen' }), { qos: 1 });
    expect((await reply('bb-apr-3')).body).toMatchObject({ ok: true });

    // MQTT 3.1.1 has no negative PUBACK: the broker drops the manager's session, so its refusal is read in the log and the audit table.
    manager!.on('error', () => {});
    manager!.publish(`${prefix}/cmd/exit-pass`, JSON.stringify(body('bb-mgr-1', 'manager-zhang')), { qos: 1 });

    // The approver's API token, handed over once at the first start (a 0600 file the log names), issues one over HTTP too; the manager's is refused.
    await waitFor(() => lines.find((l) => l.tokensFile !== undefined), 'the API tokens file in the log');
    const tokens = readIssuedTokens(join(dir, 'secrets.json')) ?? {};
    const post = (token: string | undefined) =>
      fetch(`${apiUrl}/api/exit-passes`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `bb-http-${token?.slice(3, 9)}` }, body: JSON.stringify({ subject: 'resident-1', reason: 'pharmacy', returnBy: inHours(2) }) });
    const byApprover = await post(tokens.approver);
    expect(byApprover.status).toBe(200);
    expect(await byApprover.json()).toMatchObject({ passId: expect.stringMatching(/^E/) });
    const byManager = await post(tokens.manager);
    expect(byManager.status).toBe(403);
    // The approver follows its passes over HTTP (no subject in the list); the lanes and passages are not for it.
    const listed = await fetch(`${apiUrl}/api/exit-passes`, { headers: { authorization: `Bearer ${tokens.approver}` } });
    expect(((await listed.json()) as Array<{ passId: string; revokedAt: string | null }>).find((p) => p.passId === 'pass-bb-apr-2')).toMatchObject({ revokedAt: expect.any(String) });
    expect((await fetch(`${apiUrl}/api/passages`, { headers: { authorization: `Bearer ${tokens.approver}` } })).status).toBe(403);

    await waitFor(() => lines.some((l) => l.msg === 'command refused' && l.id === 'bb-mgr-1'), 'the manager refusal logged');
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);

    const db = new Database(join(dir, 'gatewarden.db'), { readonly: true });
    const audit = db.prepare("SELECT command_id AS id, name, via, role, ok, error_code AS code FROM audit WHERE name IN ('exit-pass', 'revoke-pass') ORDER BY rowid").all();
    const passes = db.prepare('SELECT id, revoked_at IS NOT NULL AS revoked FROM exit_passes ORDER BY id').all() as Array<{ id: string; revoked: number }>;
    db.close();
    expect(audit).toEqual([
      { id: 'bb-apr-1', name: 'exit-pass', via: 'mqtt', role: 'approver', ok: 1, code: null },
      { id: 'bb-apr-2', name: 'exit-pass', via: 'mqtt', role: 'approver', ok: 1, code: null },
      { id: 'bb-apr-3', name: 'revoke-pass', via: 'mqtt', role: 'approver', ok: 1, code: null },
      { id: 'bb-mgr-1', name: 'exit-pass', via: 'mqtt', role: 'manager', ok: 0, code: 'GW_COMMAND_UNAUTHORIZED' },
      { id: expect.stringMatching(/^bb-http-/), name: 'exit-pass', via: 'http', role: 'approver', ok: 1, code: null },
      // Refused by the route's role check before the service saw it: audited all the same (docs/security.md, "Commands").
      { id: expect.stringMatching(/^bb-http-/), name: 'exit-pass', via: 'http', role: 'manager', ok: 0, code: 'GW_HTTP_FORBIDDEN' },
    ]);
    expect(passes.filter((p) => p.id.startsWith('pass-'))).toEqual([
      { id: 'pass-bb-apr-1', revoked: 0 },
      { id: 'pass-bb-apr-2', revoked: 1 },
    ]);
    expect(passes).toHaveLength(3);
  }, 60_000);
});
