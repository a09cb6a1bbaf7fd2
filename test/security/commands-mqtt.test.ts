import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCommand } from '../../src/contract/signature.js';
import { generateEd25519 } from '../../src/secrets.js';
import { waitFor } from '../../support/gateway/gateway-harness.js';
import { CommandsProcess, lockdownBody, nested, type Seen } from './commands-process.js';

const run = promisify(execFile);

/**
 * Issue 12, observations 6, 7 and 3 (commands), replayed against the real
 * process (`node dist/cli.js start`, build first) with its default command
 * settings, over the embedded broker and the SQLite file only. On the code
 * before the fix: the deep and the non-UTF-8 commands leave no coded refusal,
 * the unsigned lockdown is applied, there is no manager key to sign with,
 * the generic reply carries the VP1 code, and the audit rows name subjects.
 */
describe('commands on the real process (embedded broker, default config)', () => {
  const gw = new CommandsProcess();
  let manager: { client: MqttClient; seen: Seen[] };
  let other: { client: MqttClient; seen: Seen[] };
  const mode = async () => ((await (await gw.http('GET', '/api/mode', 'manager')).json()) as { estate: string }).estate;
  const signed = (body: Record<string, unknown>, at?: number) => signCommand(body, gw.secrets.managerKey as { kid: string; privateKey: string }, at);
  const publish = (name: string, payload: string | Buffer) => manager.client.publishAsync(`${gw.prefix}/cmd/${name}`, payload, { qos: 1 });

  beforeAll(async () => {
    await gw.start();
    manager = await gw.client('manager', ['cmd/+/reply']);
    // A second console of the same role, listening to everything it may: it must not learn another's reply data.
    other = await gw.client('manager', ['#']);
  }, 60_000);

  afterAll(() => gw.stop());

  it('refuses a command nested 10,000 levels deep with a coded reply and an audit row, lockdown and policy alike', async () => {
    await publish('lockdown', `{"id":"deep-lockdown","v":1,"reason":"x","by":"y","gates":${nested(10_000)}}`);
    await publish('policy', `{"id":"deep-policy","v":1,"version":"deep-1","rules":${nested(10_000)}}`);
    for (const name of ['lockdown', 'policy']) {
      const reply = await gw.replyOn(manager.seen, name, (r) => String((r.error as { message?: string } | undefined)?.message).includes('deeper'));
      expect(reply).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_INVALID' } });
    }
    const rows = gw.audit("error_code = 'GW_COMMAND_INVALID' AND reply LIKE '%deeper%'");
    expect(rows.map((row) => [row.name, row.via, row.principal])).toEqual([
      ['lockdown', 'mqtt', 'manager'],
      ['policy', 'mqtt', 'manager'],
    ]);
    expect(gw.audit("error_code = 'GW_STORAGE'")).toEqual([]);
  }, 30_000);

  it('refuses invalid UTF-8 instead of applying a lockdown with replacement characters', async () => {
    const text = JSON.stringify(signed(lockdownBody('utf8-1', { reason: 'lock AAAA' })));
    const bytes = Buffer.from(text, 'utf8');
    bytes.write('\xff\xfe\xfd\xfc', bytes.indexOf('AAAA'), 'latin1');
    await publish('lockdown', bytes);
    const reply = await gw.replyOn(manager.seen, 'lockdown', (r) => String((r.error as { message?: string } | undefined)?.message).includes('UTF-8'));
    expect(reply).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_INVALID' } });
    expect(gw.audit("reply LIKE '%UTF-8%'")).toHaveLength(1);
    expect(await mode()).toBe('normal');
  }, 30_000);

  it('refuses an unsigned lockdown and a signed one dated 2001, each with an audit row', async () => {
    await publish('lockdown', JSON.stringify(lockdownBody('unsigned-1')));
    expect(await gw.replyOn(manager.seen, 'lockdown', (r) => r.id === 'unsigned-1')).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_UNSIGNED' } });
    await publish('lockdown', JSON.stringify(signed(lockdownBody('dated-2001', { ts: '2001-09-11T08:46:00Z' }))));
    expect(await gw.replyOn(manager.seen, 'lockdown', (r) => r.id === 'dated-2001')).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_STALE' } });
    expect(gw.audit("command_id IN ('unsigned-1', 'dated-2001')").map((row) => [row.id, row.code, row.principal])).toEqual([
      ['unsigned-1', 'GW_COMMAND_UNSIGNED', 'manager'],
      ['dated-2001', 'GW_COMMAND_STALE', 'manager'],
    ]);
    expect(await mode()).toBe('normal');
  }, 30_000);

  it('gatewarden cmd signs a lockdown, prints the reply and exits 0; 1 on refusal; 2 on usage, never a stack trace', async () => {
    const env = { ...process.env, GATEWARDEN_MQTT_PASSWORD: gw.secrets.mqttPasswords.manager };
    const cmd = (args: string[]) =>
      run(process.execPath, ['dist/cli.js', 'cmd', ...args], { env, timeout: 30_000 }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
      );
    const common = ['--broker', gw.brokerUrl, '--estate', 'test-estate', '--user', 'manager', '--timeout-s', '10'];
    const locked = await cmd(['lockdown', '{"reason":"from a shell","by":"manager-wang"}', '--key', gw.secretsPath, ...common]);
    expect(locked.code, locked.stderr).toBe(0);
    expect(JSON.parse(locked.stdout)).toMatchObject({ ok: true });
    expect(await mode()).toBe('lockdown');
    expect(gw.audit("name = 'lockdown' AND ok = 1").map((row) => row.principal)).toEqual(['manager key:demo-manager']);

    const stranger = join(gw.dir, 'stranger.json');
    writeFileSync(stranger, JSON.stringify(generateEd25519('stranger')));
    const refused = await cmd(['mode', '{"mode":"normal","reason":"over","by":"x"}', '--key', stranger, ...common]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_BAD_SIGNATURE' } });
    expect(await mode()).toBe('lockdown');

    // A command the manager may not send (the district's resend): the broker cuts the publish, and cmd says so, exit 1.
    const notAllowed = await cmd(['resend', '{"fromSeq":1,"toSeq":5}', '--key', gw.secretsPath, ...common]);
    expect(notAllowed.code, notAllowed.stderr).toBe(1);
    expect(notAllowed.stderr).toMatch(/closed the connection before a reply .*allowed to send resend/);
    expect(gw.audit("name = 'resend'").map((row) => row.code)).toEqual(['GW_COMMAND_UNAUTHORIZED']);

    const lifted = await cmd(['mode', '{"mode":"normal","reason":"over","by":"manager-wang"}', '--key', gw.secretsPath, ...common]);
    expect(lifted.code, lifted.stderr).toBe(0);
    expect(await mode()).toBe('normal');

    for (const args of [['lockdown', '{}', '--key', gw.secretsPath], ['nonsense', '--key', gw.secretsPath, ...common], ['lockdown', '[1]', '--key', gw.secretsPath, ...common], ['lockdown', '--key', '/nonexistent', ...common]]) {
      const usage = await cmd(args);
      expect(usage.code, args.join(' ')).toBe(2);
      expect(usage.stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);

  it('audits a publish the broker refuses anywhere in the command namespace (…/cmd/lockdown/extra, a forged …/cmd/mode/reply)', async () => {
    for (const [topic, id] of [['cmd/lockdown/extra', 'extra-1'], ['cmd/mode/reply', 'forged-reply-1']] as const) {
      const intruder = await gw.client('manager', []);
      const closed = new Promise<void>((resolve) => intruder.client.once('close', () => resolve()));
      intruder.client.publish(`${gw.prefix}/${topic}`, JSON.stringify(signed(lockdownBody(id))), { qos: 1 });
      await closed;
      await intruder.client.endAsync(true);
    }
    await waitFor(() => gw.audit("command_id IN ('extra-1', 'forged-reply-1')").length === 2, 'both refusals audited');
    expect(gw.audit("command_id IN ('extra-1', 'forged-reply-1')").map((row) => [row.id, row.name, row.code, row.principal])).toEqual([
      ['extra-1', 'lockdown/extra', 'GW_COMMAND_UNAUTHORIZED', 'manager'],
      ['forged-reply-1', 'mode/reply', 'GW_COMMAND_UNAUTHORIZED', 'manager'],
    ]);
    expect(await mode()).toBe('normal');
  }, 30_000);

  it('audits a command the HTTP route refused before the service saw it: a role that may not (403), a malformed body (400)', async () => {
    const lift = await gw.http('POST', '/api/mode/lift', 'guard', { reason: 'the guard tries to lift' });
    expect(lift.status).toBe(403);
    const visitor = await gw.http('POST', '/api/visitors', 'guard', { subject: 'visitor-bad-body', hostHousehold: '1-101', validUntil: 'tomorrow' });
    expect(visitor.status).toBe(400);
    const noToken = await fetch(`${gw.apiUrl}/api/mode/lockdown`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reason":"no token at all"}' });
    expect(noToken.status).toBe(401);
    await waitFor(() => gw.audit("via = 'http' AND ok = 0").length >= 2, 'the two refusals audited');
    expect(gw.audit("via = 'http' AND ok = 0").map((row) => [row.name, row.principal, row.code])).toEqual([
      ['mode', expect.stringMatching(/guard/), 'GW_HTTP_FORBIDDEN'],
      ['visitor', expect.stringMatching(/guard/), 'GW_HTTP_INVALID'],
    ]);
    // The subject of the malformed request is stored as a keyed hash, as in every audit row.
    expect(gw.audit("name = 'visitor' AND ok = 0").map((row) => row.body).join('')).not.toContain('visitor-bad-body');
    expect(await mode()).toBe('normal');
  }, 30_000);

  it('never shows a visitor code or reply data to another subscriber, and audits no raw subject or pass text', async () => {
    const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
    const visitor = { v: 1, passId: 'V-sec-1', subject: 'visitor-sub-4711', hostHousehold: '1-101', validFrom: inHours(-1), validUntil: inHours(4), by: 'guard-li' };
    await publish('visitor', JSON.stringify(signed({ id: 'visitor-1', ...visitor })));
    expect(await gw.replyOn(manager.seen, 'visitor', (r) => r.id === 'visitor-1')).toMatchObject({ ok: true });
    await publish('lists', JSON.stringify(signed({ id: 'lists-1', v: 1, list: 'quarantine', op: 'add', version: 'q-sec-1', entries: [{ subject: 'resident-1' }, { subject: 'stranger-9001' }] })));
    const listed = await gw.replyOn(manager.seen, 'lists', (r) => r.id === 'lists-1');
    expect(listed).toMatchObject({ ok: true, warnings: [expect.stringMatching(/^subject \S+ matches no/)] });
    const byHttp = await gw.http('POST', '/api/visitors', 'guard', { subject: 'visitor-http-815', hostHousehold: '1-102', validUntil: inHours(3) });
    expect(byHttp.status).toBe(200);
    expect(((await byHttp.json()) as { code: string }).code).toMatch(/^VP1:/);
    expect((await gw.http('POST', '/api/exit-passes', 'approver', { subject: 'resident-1', reason: 'hospital', returnBy: inHours(2) })).status).toBe(200);

    // The other console saw the outcome on …/cmd/visitor/reply, without data: no code, no pass id, no subject.
    await waitFor(() => other.seen.some((m) => m.topic === `${gw.prefix}/cmd/visitor/reply`), 'the visitor outcome');
    const otherText = other.seen.map((m) => m.text).join('\n');
    expect(otherText).not.toContain('VP1:');
    for (const reply of other.seen.filter((m) => m.topic.endsWith('/reply'))) expect(JSON.parse(reply.text)).not.toHaveProperty('data');

    const stored = [...gw.audit().flatMap((row) => [row.body, row.reply]), ...gw.storedReplies()].join('\n');
    for (const raw of ['visitor-sub-4711', 'visitor-http-815', 'resident-1', 'stranger-9001', 'VP1:']) expect(stored, raw).not.toContain(raw);
    expect(listed.warnings as string[]).not.toContain('stranger-9001');
    expect(String(listed.warnings)).not.toContain('stranger-9001');
  }, 30_000);
});
