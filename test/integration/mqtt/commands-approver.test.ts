import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';
import { createCommandSigner, trustedKey } from '../../../support/signed-commands.js';
import { commandBody, TestClient } from './mqtt-test-client.js';

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();
const exitPass = (passId: string, by: string) => ({ passId, subject: 'resident-1', reason: 'hospital appointment', returnBy: inHours(4), by });

/**
 * The approver (the local epidemic-control group, estate plan rule 4) on the
 * embedded broker: its own MQTT user publishes exit passes and revocations and
 * nothing else; the manager's publish of an exit pass is refused by the broker
 * with a reply and an audit row; the approver sees no other command traffic.
 * A key with role approver signs one wherever it is relayed from.
 */
describe('the approver over MQTT', () => {
  let harness: Harness;
  let approver: TestClient;
  let manager: TestClient;
  const prefix = 'gatewarden/test-estate';
  const approverKey = createCommandSigner('apr-1', 'approver');
  const managerKey = createCommandSigner('mgr-1', 'manager');
  const audit = (id: string) => harness.gateway.db.prepare('SELECT ok, error_code AS code, role, principal FROM audit WHERE command_id = ? ORDER BY rowid').all(id);
  const passIds = () => (harness.gateway.db.prepare('SELECT id FROM exit_passes ORDER BY id').all() as Array<{ id: string }>).map((row) => row.id);

  beforeAll(async () => {
    // Unsigned on purpose: this file is about the command path, not signatures (test/security/commands-*.test.ts).
    harness = await startHarness({ commands: { requireSignature: false, keys: [approverKey, managerKey].map(trustedKey) } });
    const connect = (username: string) => TestClient.connect({ url: harness.gateway.mqtt.url, prefix, username, password: harness.gateway.secrets.mqttPasswords[username] });
    approver = await connect('approver');
    manager = await connect('manager');
    await approver.subscribe('#');
    await manager.subscribe('cmd/+/reply');
  });

  afterAll(async () => {
    await approver?.end();
    await manager?.end();
    await harness?.stop();
  });

  it('the approver issues and revokes an exit pass; both are audited under its user', async () => {
    expect(await approver.send('exit-pass', commandBody('apr-exit-1', exitPass('E-1', 'approver-chen')))).toMatchObject({ ok: true }); // …/reply carries the outcome; data goes to the requester's own reply topic
    expect(audit('apr-exit-1')).toEqual([{ ok: 1, code: null, role: 'approver', principal: 'approver' }]);
    expect(await approver.send('revoke-pass', commandBody('apr-revoke-1', { pass: 'exit', passId: 'E-1', reason: 'appointment moved', by: 'approver-chen' }))).toMatchObject({ ok: true });
    expect(harness.gateway.db.prepare('SELECT revoked_at FROM exit_passes WHERE id = ?').get('E-1')).toEqual({ revoked_at: expect.any(Number) });
  });

  /**
   * A publish the broker refuses on MQTT 3.1.1 gets no negative PUBACK: the
   * broker drops the sender's connection, so it goes out on a throwaway one
   * and the reply is read by the manager's console.
   */
  const refusedPublish = async (username: string, name: string, body: Record<string, unknown> & { id: string }) => {
    const sender = await TestClient.connect({ url: harness.gateway.mqtt.url, prefix, username, password: harness.gateway.secrets.mqttPasswords[username] });
    void sender.command(name, body).catch(() => {});
    const reply = await manager.reply(name, body.id);
    await sender.end().catch(() => {});
    return reply;
  };

  it("refuses the manager's exit pass at the broker, with a reply and an audit row", async () => {
    const reply = await refusedPublish('manager', 'exit-pass', commandBody('mgr-exit-1', exitPass('E-mgr', 'manager-zhang')));
    expect(reply).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_UNAUTHORIZED' } });
    expect(audit('mgr-exit-1')).toEqual([{ ok: 0, code: 'GW_COMMAND_UNAUTHORIZED', role: 'manager', principal: 'manager' }]);
    expect(passIds()).not.toContain('E-mgr');
  });

  it('refuses the approver anything else, and shows it no other command traffic', async () => {
    const lists = await refusedPublish('approver', 'lists', commandBody('apr-lists-1', { list: 'quarantine', op: 'add', version: 'q-1', entries: [{ subject: 'resident-1' }] }));
    expect(lists).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_UNAUTHORIZED' } });
    expect(audit('apr-lists-1')).toEqual([{ ok: 0, code: 'GW_COMMAND_UNAUTHORIZED', role: 'approver', principal: 'approver' }]);
    expect(await manager.send('roster', commandBody('mgr-roster-1', { version: 'r-2', cards: [{ uid: '04AABBCCDD', subject: 'resident-1', role: 'resident' }] }))).toMatchObject({ ok: true });
    // A later reply of its own shows the roster traffic had time to arrive, had it been delivered.
    expect(await approver.send('revoke-pass', commandBody('apr-revoke-2', { pass: 'exit', passId: 'E-1', reason: 'again', by: 'approver-chen' }))).toMatchObject({ ok: true });
    const commandTopics = new Set(approver.received.filter((m) => m.topic.startsWith(`${prefix}/cmd/`)).map((m) => m.topic.slice(`${prefix}/cmd/`.length)));
    expect([...commandTopics].sort()).toEqual(['exit-pass', 'exit-pass/reply', 'revoke-pass', 'revoke-pass/reply']);
    await waitFor(() => approver.json('status').length > 0, 'the retained status');
  });

  it('counts a signed exit pass as the signing key\'s: the approver key is accepted, a manager key refused, whoever relays it', async () => {
    // What an external broker's commandRole (default manager) looks like to the service.
    const relay = (id: string, body: Record<string, unknown>) =>
      harness.gateway.commands.execute({ name: 'exit-pass', id, body, actor: { via: 'mqtt', principal: 'district-relay', role: 'manager' }, receivedAt: Date.now() });
    expect(await relay('signed-apr', approverKey.sign(commandBody('signed-apr', { estate: 'test-estate', ...exitPass('E-signed', 'approver-chen') })))).toMatchObject({ ok: true });
    expect(audit('signed-apr')).toEqual([{ ok: 1, code: null, role: 'approver', principal: 'district-relay key:apr-1' }]);
    // The approver's key may be trusted by every estate of the neighbourhood (found from outside: a signed command
    // seen at one estate was taken by another): unless its signed body names this estate, it is refused.
    expect(await relay('signed-apr-bare', approverKey.sign(commandBody('signed-apr-bare', exitPass('E-bare', 'approver-chen'))))).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_BAD_SIGNATURE' } });
    expect(await relay('signed-apr-other', approverKey.sign(commandBody('signed-apr-other', { estate: 'rose-court', ...exitPass('E-other', 'approver-chen') })))).toMatchObject({
      ok: false,
      error: { code: 'GW_COMMAND_INVALID' },
    });
    expect(audit('signed-apr-other')).toEqual([{ ok: 0, code: 'GW_COMMAND_INVALID', role: 'manager', principal: 'district-relay' }]);
    expect(await relay('signed-mgr', managerKey.sign(commandBody('signed-mgr', exitPass('E-signed-mgr', 'manager-zhang'))))).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_UNAUTHORIZED' } });
    expect(audit('signed-mgr')).toEqual([{ ok: 0, code: 'GW_COMMAND_UNAUTHORIZED', role: 'manager', principal: 'district-relay key:mgr-1' }]);
    expect(passIds()).toContain('E-signed');
    expect(passIds()).not.toContain('E-bare');
    expect(passIds()).not.toContain('E-other');
    expect(passIds()).not.toContain('E-signed-mgr');
  });
});
