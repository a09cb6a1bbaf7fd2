import assert from 'node:assert/strict';
import fc from 'fast-check';
import pino from 'pino';
import { COMMAND_NAMES } from '../../src/contract/command-schemas.js';
import { signCommand } from '../../src/contract/signature.js';
import type { CommandActor } from '../../src/commands/types.js';
import { MqttCommandHandler } from '../../src/mqtt/command-handler.js';
import { topicsFor } from '../../src/contract/topics.js';
import { startHarness } from '../gateway/gateway-harness.js';
import { EXAMPLES } from '../contract/examples.js';
import type { FuzzTarget, Prepared } from './target.js';

const PREFIX = 'gatewarden/test-estate';
const ROLES: ReadonlyArray<CommandActor['role']> = ['guard', 'manager', 'approver', 'district', 'auditor', 'observer'];

/** A valid body per command from the contract examples, without its signature, aimed at the harness's gate. */
export function exampleBody(name: string): Record<string, unknown> {
  const { sig: _sig, kid: _kid, ts: _ts, ...body } = (EXAMPLES[`cmd-${name}`] ?? { id: 'x' }) as Record<string, unknown>;
  return name === 'open' ? { ...body, gate: 'main', lane: 'in' } : body;
}

/** One thing done to a valid body: a key dropped, replaced or added, or the body left as it is. */
export function altered(body: Record<string, unknown>): fc.Arbitrary<Record<string, unknown>> {
  const keys = Object.keys(body);
  return fc.oneof(
    fc.constant(body),
    fc.constantFrom(...keys).map((drop) => Object.fromEntries(Object.entries(body).filter(([key]) => key !== drop))),
    fc.tuple(fc.constantFrom(...keys, '__proto__', 'constructor', 'sig', 'kid', 'ts'), fc.jsonValue({ maxDepth: 3 })).map(([key, value]) => ({ ...body, [key]: value })),
    fc.tuple(fc.string({ maxLength: 16 }), fc.jsonValue({ maxDepth: 2 })).map(([key, value]) => ({ ...body, [key]: value })),
  );
}

interface Publish {
  name: string;
  role: CommandActor['role'];
  retain: boolean;
  refusedByBroker: boolean;
  payload: Buffer;
}

/**
 * MQTT command payloads through the real MqttCommandHandler and the gateway's
 * CommandService (validation, signature, roles, appliers, SQLite), in-process
 * on a whole gateway with signatures required: random bytes, random JSON,
 * nesting past the depth limit, invalid UTF-8, and valid bodies altered in
 * one place, unsigned, signed, signed then tampered with, or signed stale.
 * Every publish gets one reply and its own audit row; a refusal carries a
 * GW_ code and changes neither the mode nor the stored commands.
 */
export const commandTarget: FuzzTarget = {
  name: 'commands',
  what: 'MQTT command payloads (src/commands/command-payload.ts, command-service.ts via src/mqtt/command-handler.ts) on a whole gateway, signatures required',
  async prepare(): Promise<Prepared<Publish>> {
    const harness = await startHarness();
    const { gateway } = harness;
    const key = gateway.secrets.managerKey;
    if (!key) throw new Error('the harness generated no manager key');
    const sent: string[] = [];
    const handler = new MqttCommandHandler({ service: gateway.commands, topics: topicsFor(PREFIX), clock: { now: () => Date.now() }, log: pino({ level: 'silent' }), reply: (topic) => sent.push(topic) });
    const lastAudit = gateway.db.prepare('SELECT rowid AS row, command_id AS id, ok, error_code AS code FROM audit ORDER BY rowid DESC LIMIT 1');
    const lastCommand = gateway.db.prepare('SELECT max(rowid) AS row FROM commands');
    const counts: Record<string, number> = {};
    let fresh = 0;
    const signedVariant = (body: Record<string, unknown>, how: string, twist: fc.JsonValue): Record<string, unknown> => {
      if (how === 'unsigned') return body;
      if (how === 'stale') return signCommand(body, key, Date.parse('2001-01-01T00:00:00Z'));
      const signed = signCommand(body, key);
      return how === 'tampered' ? { ...signed, [Object.keys(body)[0] ?? 'id']: twist } : signed;
    };
    const bodyPayload = fc
      .tuple(fc.constantFrom(...COMMAND_NAMES), fc.constantFrom('unsigned', 'signed', 'signed', 'tampered', 'stale'), fc.jsonValue({ maxDepth: 1 }), fc.nat({ max: 9 }))
      .chain(([name, how, twist, reuse]) =>
        altered(exampleBody(name)).map((body) => {
          fresh += 1;
          // Mostly a fresh id; now and then one used before (a retry, or a replay with another body).
          const id = reuse === 0 ? `fuzz-${fresh % 50}` : `fuzz-${fresh}`;
          return { name, text: JSON.stringify(signedVariant({ ...body, id }, how, twist)) ?? 'null' };
        }),
      );
    const payload = fc.oneof(
      fc.tuple(fc.constantFrom(...COMMAND_NAMES, 'reboot', '', '#'), fc.uint8Array({ maxLength: 400 })).map(([name, bytes]) => ({ name, bytes: Buffer.from(bytes) })),
      fc.tuple(fc.constantFrom(...COMMAND_NAMES), fc.json({ maxDepth: 4 })).map(([name, text]) => ({ name, bytes: Buffer.from(text) })),
      fc.tuple(fc.constantFrom(...COMMAND_NAMES), fc.integer({ min: 20, max: 20_000 })).map(([name, depth]) => ({ name, bytes: Buffer.from(`{"id":"deep","x":${'['.repeat(depth)}${']'.repeat(depth)}}`) })),
      { arbitrary: bodyPayload.map(({ name, text }) => ({ name, bytes: Buffer.from(text) })), weight: 6 },
      bodyPayload.chain(({ name, text }) => fc.nat({ max: text.length }).map((at) => ({ name, bytes: Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.of(0xc3, 0x28), Buffer.from(text.slice(at))]) }))),
      bodyPayload.chain(({ name, text }) => fc.nat({ max: text.length }).map((cut) => ({ name, bytes: Buffer.from(text.slice(0, cut)) }))),
    );
    const arbitrary = fc
      .record({ payload, role: fc.constantFrom(...ROLES), flag: fc.constantFrom('none', 'none', 'none', 'none', 'retain', 'acl') })
      .map(({ payload: p, role, flag }) => ({ name: p.name, role, retain: flag === 'retain', refusedByBroker: flag === 'acl', payload: p.bytes }));
    return {
      arbitrary,
      stats: () => ({ ...counts }),
      stop: () => harness.stop(),
      async check(publish) {
        sent.length = 0;
        const mode = gateway.estate.mode;
        const commandsBefore = (lastCommand.get() as { row: number | null }).row;
        const auditBefore = (lastAudit.get() as { row: number } | undefined)?.row ?? 0;
        const reply = await handler.handle({ ...publish, actor: { via: 'mqtt', principal: `fuzz-${publish.role}`, role: publish.role } });
        const outcome = reply.ok ? 'accepted' : (reply.error?.code ?? 'no code');
        counts[outcome] = (counts[outcome] ?? 0) + 1;
        assert.equal(sent.length, 1, 'one reply per publish');
        const audit = lastAudit.get() as { row: number; id: string; ok: number; code: string | null };
        assert.ok(audit.row > auditBefore, 'no audit row');
        assert.deepEqual({ id: audit.id, ok: audit.ok, code: audit.code }, { id: reply.id, ok: reply.ok ? 1 : 0, code: reply.ok ? null : (reply.error?.code ?? null) });
        if (reply.ok) return;
        assert.match(reply.error?.code ?? '', /^GW_[A-Z_]+$/);
        assert.ok((reply.error?.message.length ?? 0) > 0, 'a refusal without a message');
        if (publish.retain || publish.refusedByBroker) assert.ok(['GW_COMMAND_RETAINED', 'GW_COMMAND_UNAUTHORIZED'].includes(reply.error?.code ?? ''));
        assert.equal(gateway.estate.mode, mode, 'a refused command changed the mode');
        assert.equal((lastCommand.get() as { row: number | null }).row, commandsBefore, 'a refused command was stored');
      },
    };
  },
};
