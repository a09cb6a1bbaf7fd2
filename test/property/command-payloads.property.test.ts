import fc from 'fast-check';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mayIssue } from '../../src/commands/command-roles.js';
import { COMMAND_NAMES } from '../../src/contract/command-schemas.js';
import type { CommandActor, CommandReply } from '../../src/commands/types.js';
import { MqttCommandHandler } from '../../src/mqtt/command-handler.js';
import { topicsFor } from '../../src/contract/topics.js';
import { EXAMPLES } from '../../support/contract/examples.js';
import { createCommandSigner, trustedKey, type CommandSigner } from '../../support/signed-commands.js';
import { startHarness, waitFor, type Harness } from '../../support/gateway/gateway-harness.js';
import { propertyParameters } from './runs.js';

/**
 * Garbage on `…/cmd/<name>`: random bytes, random JSON and near-valid bodies
 * (a valid example with one thing wrong), through the real MQTT command
 * handler and CommandService of a running gateway. Whatever arrives: no
 * crash, no unhandled rejection, one reply; a refusal carries a stable error
 * code, leaves exactly one audit row and changes nothing else.
 */

const PREFIX = 'gatewarden/test-estate';
const NAMES = [...COMMAND_NAMES, 'reboot', '', 'lockdown/extra'] as const;
/** Tables a command may change; a refusal must leave every one as it was. */
const STATE_TABLES = ['commands', 'modes', 'lists', 'policies', 'exit_passes', 'visitor_passes', 'drills'] as const;

/**
 * The keys the harness trusts: MQTT commands are signed by default, so a body is
 * signed by its sender's role (there are manager and district keys, no guard or
 * observer ones) and so reaches the schema check and the appliers, not only the
 * signature check.
 */
const SIGNERS: Partial<Record<CommandActor['role'], CommandSigner>> = {
  manager: createCommandSigner('fuzz-manager', 'manager'),
  district: createCommandSigner('fuzz-district', 'district'),
};
type Sign = (body: Record<string, unknown>) => Record<string, unknown>;
const signerFor = (role: CommandActor['role']): Sign => (body) => SIGNERS[role]?.sign(body) ?? body;

/**
 * A valid body per command, from the contract examples, unsigned and aimed at the harness's gate;
 * without the example's `ts` (long past: stale), which signing sets to now.
 */
function validBody(name: string): Record<string, unknown> {
  const example = (EXAMPLES[`cmd-${name}`] ?? { id: 'x', reason: 'r', by: 'b' }) as Record<string, unknown>;
  const { sig: _sig, kid: _kid, ts: _ts, ...body } = example;
  return name === 'open' ? { ...body, gate: 'main', lane: 'in' } : body;
}

const jsonText = (value: unknown) => JSON.stringify(value) ?? 'null';

/**
 * One wrong thing done to a valid body, then signed (the signer's body is wrong); or done to a
 * signed body (the signature no longer fits); or nothing wrong, so the appliers run too.
 */
const nearValid = (name: string, fresh: string, sign: Sign) => {
  const body = { ...validBody(name), id: fresh };
  const keys = Object.keys(body);
  const signed = (value: Record<string, unknown>) => jsonText(sign(value));
  const whole = sign(body);
  return fc.oneof(
    fc.constantFrom(...keys).map((key) => signed(Object.fromEntries(Object.entries(body).filter(([k]) => k !== key)))),
    fc.tuple(fc.constantFrom(...keys), fc.jsonValue()).map(([key, value]) => signed({ ...body, [key]: value })),
    fc.tuple(fc.string({ maxLength: 12 }), fc.jsonValue()).map(([key, value]) => signed({ ...body, [key]: value })),
    fc.oneof(fc.string({ maxLength: 200 }), fc.constant(''), fc.constant('x'.repeat(129)), fc.integer()).map((id) => signed({ ...body, id })),
    // Weighted: every other branch is refused, and only the manager and district samples are signed at all.
    { arbitrary: fc.constant(jsonText(whole)), weight: 4 },
    fc.nat({ max: jsonText(whole).length }).map((cut) => jsonText(whole).slice(0, cut)),
    fc.tuple(fc.constantFrom(...keys), fc.jsonValue()).map(([key, value]) => jsonText({ ...whole, [key]: value })),
    fc.constantFrom(jsonText([whole]), jsonText(jsonText(whole)), `${jsonText(whole)}${jsonText(whole)}`, jsonText({ ...whole, __proto__: { mode: 'emergency-open' } })),
  );
};

const payloadFor = (name: string, fresh: string, sign: Sign) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
    fc.json({ maxDepth: 3 }).map((text) => Buffer.from(text)),
    fc.jsonValue({ maxDepth: 2 }).map((value) => Buffer.from(jsonText(typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...value, id: fresh } : value))),
    nearValid(name, fresh, sign).map((text) => Buffer.from(text)),
  );

let fresh = 0;
const arbitraryCommand = fc
  .tuple(fc.constantFrom(...NAMES), fc.constantFrom('guard', 'manager', 'district', 'observer'), fc.boolean(), fc.boolean())
  .chain(([name, role, retain, refusedByBroker]) => {
    fresh += 1;
    return payloadFor(name, `fuzz-${fresh}`, signerFor(role as CommandActor['role'])).map((payload) => ({ name, role: role as CommandActor['role'], retain: retain && refusedByBroker, refusedByBroker: refusedByBroker && !retain, payload }));
  });

describe('MQTT command payload fuzzing', () => {
  let harness: Harness;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    harness = await startHarness({ commands: { keys: Object.values(SIGNERS).map(trustedKey) } });
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await harness?.stop();
  });

  const state = () => {
    const { db, estate } = harness.gateway;
    return jsonText({ mode: estate.mode, tables: STATE_TABLES.map((table) => db.prepare(`SELECT * FROM ${table}`).all()) });
  };
  const auditRows = (id: string) => harness.gateway.db.prepare('SELECT ok, error_code AS code FROM audit WHERE command_id = ?').all(id) as Array<{ ok: number; code: string | null }>;

  it('answers every payload once, and a refusal has an error code, an audit row and no effect', async () => {
    const sent: Array<{ topic: string; payload: string }> = [];
    const handler = new MqttCommandHandler({
      service: harness.gateway.commands,
      topics: topicsFor(PREFIX),
      clock: { now: () => Date.now() },
      log: pino({ level: 'silent' }),
      reply: (topic, payload) => sent.push({ topic, payload }),
    });
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(arbitraryCommand, async (command) => {
        sent.length = 0;
        const before = state();
        const reply: CommandReply = await handler.handle({ ...command, actor: { via: 'mqtt', principal: `fuzz-${command.role}`, role: command.role } });
        expect(sent).toHaveLength(1);
        expect(JSON.parse(sent[0]?.payload ?? '{}')).toMatchObject({ id: reply.id, ok: reply.ok });
        if (command.retain || command.refusedByBroker) expect(reply.ok).toBe(false);
        const rows = auditRows(reply.id);
        if (reply.ok) {
          accepted += 1;
          expect(rows.at(-1)).toEqual({ ok: 1, code: null });
          return;
        }
        expect(reply.error?.code).toMatch(/^GW_[A-Z_]+$/);
        expect(reply.error?.message.length).toBeGreaterThan(0);
        expect(rows.at(-1)).toEqual({ ok: 0, code: reply.error?.code });
        expect(state()).toBe(before);
      }),
      propertyParameters,
    );
    // The near-valid bodies reach the appliers too, not only the schema check.
    expect(accepted).toBeGreaterThan(0);
    expect(unhandled).toEqual([]);
  });

  it('a time that fits the ISO pattern but is no time (month 13, minute 60, offset +25:00) is refused as invalid', async () => {
    const handler = new MqttCommandHandler({ service: harness.gateway.commands, topics: topicsFor(PREFIX), clock: { now: () => Date.now() }, log: pino({ level: 'silent' }), reply: () => {} });
    const two = fc.nat({ max: 99 }).map((n) => String(n).padStart(2, '0'));
    const impossibleTime = fc
      .tuple(two, two, two, two, fc.constantFrom('Z', '+25:00', '+08:00'))
      .map(([month, day, hour, minute, zone]) => `2027-${month}-${day}T${hour}:${minute}${zone}`)
      .filter((time) => Number.isNaN(Date.parse(time)));
    const timed = fc.constantFrom(
      { name: 'lockdown', key: 'expiresAt' },
      { name: 'exit-pass', key: 'returnBy' },
      { name: 'visitor', key: 'validUntil' },
      { name: 'drill', key: 'endsAt' },
    );
    await fc.assert(
      fc.asyncProperty(timed, impossibleTime, async ({ name, key }, time) => {
        fresh += 1;
        const body = signerFor('manager')({ ...validBody(name), id: `fuzz-time-${fresh}`, [key]: time });
        const before = state();
        const reply = await handler.handle({ name, payload: Buffer.from(jsonText(body)), retain: false, actor: { via: 'mqtt', principal: 'fuzz', role: 'manager' } });
        expect(reply.error?.code).toBe('GW_COMMAND_INVALID');
        expect(state()).toBe(before);
      }),
      propertyParameters,
    );
  });

  // Found from outside (over HTTP): 31 February was taken, and Date.parse made it 3 March. The command fields share the check.
  it('a day that is not on the calendar (31 February, 29 February 2027, 31 April) is refused as invalid, not rolled over', async () => {
    const handler = new MqttCommandHandler({ service: harness.gateway.commands, topics: topicsFor(PREFIX), clock: { now: () => Date.now() }, log: pino({ level: 'silent' }), reply: () => {} });
    const fields = [
      { name: 'lockdown', key: 'expiresAt' },
      { name: 'exit-pass', key: 'returnBy' },
      { name: 'visitor', key: 'validUntil' },
      { name: 'drill', key: 'endsAt' },
    ];
    for (const { name, key } of fields) {
      for (const time of ['2027-02-31T10:00:00Z', '2027-02-29T10:00:00Z', '2027-04-31T10:00:00+08:00']) {
        fresh += 1;
        const body = signerFor('manager')({ ...validBody(name), id: `calendar-${fresh}`, [key]: time });
        const before = state();
        const reply = await handler.handle({ name, payload: Buffer.from(jsonText(body)), retain: false, actor: { via: 'mqtt', principal: 'calendar', role: 'manager' } });
        expect(reply.error).toMatchObject({ code: 'GW_COMMAND_INVALID', details: [expect.stringMatching(new RegExp(`^${key}: expected an ISO 8601 date-time on a day that exists`))] });
        expect(state()).toBe(before);
      }
    }
  });

  it('through the embedded broker: every publish gets a reply and an audit row, and the gateway stays up', { timeout: 60_000 }, async () => {
    const password = harness.gateway.secrets.mqttPasswords.manager;
    const manager = await mqtt.connectAsync(harness.gateway.mqtt.url, { username: 'manager', ...(password ? { password } : {}), reconnectPeriod: 0 });
    const replies: CommandReply[] = [];
    manager.on('message', (_topic, payload) => replies.push(JSON.parse(payload.toString()) as CommandReply));
    await manager.subscribeAsync(`${PREFIX}/cmd/+/reply`, { qos: 1 });
    const samples = fc.sample(
      // The commands the manager may publish: the broker drops a 3.1.1 session that publishes outside its ACL (exit passes are the approver's).
      fc.constantFrom(...COMMAND_NAMES.filter((name) => mayIssue('manager', name))).chain((name) => payloadFor(name, `broker-fuzz-${name}`, signerFor('manager')).map((payload) => ({ name, payload }))),
      { seed: propertyParameters.seed, numRuns: Math.min(propertyParameters.numRuns, 100) },
    );
    const auditBefore = (harness.gateway.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;
    for (const { name, payload } of samples) await manager.publishAsync(`${PREFIX}/cmd/${name}`, payload, { qos: 1 });
    await waitFor(() => replies.length >= samples.length, `${samples.length} replies`, 30_000);
    expect(replies).toHaveLength(samples.length);
    const auditAfter = (harness.gateway.db.prepare('SELECT COUNT(*) AS n FROM audit').get() as { n: number }).n;
    expect(auditAfter - auditBefore).toBe(samples.length);
    for (const reply of replies.filter((r) => !r.ok)) expect(reply.error?.code).toMatch(/^GW_[A-Z_]+$/);
    expect(harness.gateway.mqtt.connection.client.connected).toBe(true);
    await manager.endAsync();
    expect(unhandled).toEqual([]);
  });
});
