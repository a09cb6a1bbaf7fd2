import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { checkMessage } from '../../../src/contract/channels.js';
import { waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';
import { createCommandSigner, trustedKey } from '../../../support/signed-commands.js';
import { setUpExternal, type BrokerFactory, type ExternalSetup } from '../../../support/brokers/external-broker.js';
import { auditRows, commandBody, TestClient, type CommandReplyMessage } from './mqtt-test-client.js';

export interface BrokerUnderTest {
  name: string;
  broker: BrokerFactory;
  protocolVersion: 4 | 5;
  /**
   * Whether the broker keeps a retained command. The embedded ACL clears the
   * flag so aedes never stores one; Mosquitto stores it and delivers it with
   * RETAIN set to every new subscriber, the gateway included.
   */
  storesRetainedCommands: boolean;
}

const PREFIX = 'gatewarden/test-estate';
const DEVICES = ['in-scanner', 'in-thermo', 'in-barrier', 'out-scanner', 'out-barrier'];

/**
 * The MQTT contract against one real broker, the gateway in external-broker
 * mode with signatures required: retained status and last will; lockdown
 * applied and acknowledged (and on MQTT 5 through the response topic);
 * malformed, unauthorized, unsigned, replayed and retained commands refused
 * with nothing changed, an error reply and an audit row; retained state
 * published again after a broker restart.
 */
export function describeBrokerContract(target: BrokerUnderTest): void {
  const manager = createCommandSigner('mgr-1');
  const district = createCommandSigner('district-1', 'district');

  describe(`MQTT contract on ${target.name} (MQTT ${target.protocolVersion === 5 ? '5' : '3.1.1'})`, () => {
    let setup: ExternalSetup;
    let harness: Harness;
    let console_: TestClient;
    /** Every manager session of the run, for the final contract check. */
    const sessions: TestClient[] = [];
    let firstLockdown: Record<string, unknown> = {};
    const connect = (user: 'manager' | 'observer') =>
      TestClient.connect({ url: setup.broker.url, prefix: PREFIX, username: user, password: setup.secrets.mqttPasswords[user], protocolVersion: target.protocolVersion });
    const openConsole = async () => {
      console_ = await connect('manager');
      sessions.push(console_);
      await console_.subscribe('#');
    };
    const mode = () => harness.gateway.estate.mode;
    const accepted = (id: string) => harness.gateway.db.prepare('SELECT count(*) AS n FROM commands WHERE id = ?').get(id) as { n: number };
    const expectRefused = (reply: CommandReplyMessage, code: string) => {
      expect(reply).toMatchObject({ ok: false, error: { code } });
      expect(auditRows(harness.gateway.db, reply.id).at(-1)).toEqual({ ok: 0, code });
      expect(accepted(reply.id)).toEqual({ n: 0 });
    };

    beforeAll(async () => {
      setup = await setUpExternal({
        prefix: PREFIX,
        broker: target.broker,
        protocolVersion: target.protocolVersion,
        commands: { requireSignature: true, keys: [manager, district].map(trustedKey) },
      });
      await openConsole();
      // Retained before the gateway subscribes: a broker that stores it hands it over with RETAIN set.
      await console_.command('mode', manager.sign(commandBody('cmd-stored-retained', { mode: 'emergency-open', reason: 'stale', by: 'x' })), { retain: true });
      harness = await setup.startGateway();
      await waitFor(() => console_.json('status').some((s) => s.online === true), 'online status');
    }, 30_000);

    afterAll(async () => {
      await console_?.end();
      await harness?.stop();
      await setup?.close();
    });

    it('refuses a retained command: it would fire again after every restart', async () => {
      if (target.storesRetainedCommands) expectRefused(await console_.reply('mode', 'cmd-stored-retained'), 'GW_COMMAND_RETAINED');
      else expect(auditRows(harness.gateway.db, 'cmd-stored-retained')).toEqual([]);
      expect(mode()).toBe('normal');
      if (target.protocolVersion === 5) {
        // Live, too: the gateway subscribes with Retain As Published ([MQTT-3.8.3.1]).
        await console_.command('mode', manager.sign(commandBody('cmd-live-retained', { mode: 'lockdown', reason: 'r', by: 'x' })), { retain: true });
        expectRefused(await console_.reply('mode', 'cmd-live-retained'), 'GW_COMMAND_RETAINED');
        expect(mode()).toBe('normal');
      }
      // An empty retained message deletes the stored one ([MQTT-3.3.1-10]).
      if (target.storesRetainedCommands) await console_.command('mode', '', { retain: true });
    });

    it('keeps a retained online status, and the last will says offline when the connection dies', async () => {
      const late = await connect('observer');
      try {
        await late.subscribe('status');
        await waitFor(() => late.received.find((m) => m.retain && JSON.parse(m.payload.toString()).online === true), 'retained online status');
        const stream = (harness.gateway.mqtt.connection.client as MqttClient & { stream: { destroy(): void } }).stream;
        stream.destroy();
        await waitFor(() => late.json('status').some((s) => s.online === false), 'will: online false');
        await waitFor(() => late.json('status').at(-1)?.online === true, 'online again after reconnecting');
      } finally {
        await late.end();
      }
    });

    it('applies and acknowledges a signed lockdown on …/cmd/lockdown/reply', async () => {
      const options =
        target.protocolVersion === 5 ? { properties: { responseTopic: `${PREFIX}/replies/manager/console`, correlationData: Buffer.from('corr-42') } } : {};
      firstLockdown = manager.sign(commandBody('cmd-lock-1', { reason: 'confirmed case', by: 'manager-zhang' }));
      const reply = await console_.send('lockdown', firstLockdown as Record<string, unknown> & { id: string }, options);
      expect(reply).toMatchObject({ id: 'cmd-lock-1', ok: true });
      expect([...harness.gateway.lanes.values()].map((lane) => harness.gateway.estate.modeFor(lane.id.split('/')[0]))).toEqual(['lockdown', 'lockdown']);
      await waitFor(() => console_.json('mode').some((m) => m.mode === 'lockdown'), 'retained mode');
      await waitFor(() => console_.json('status').some((s) => s.mode === 'lockdown'), 'status with the mode');
      if (target.protocolVersion === 5) {
        const response = await waitFor(() => console_.received.find((m) => m.topic === `${PREFIX}/replies/manager/console`), 'MQTT 5 response');
        expect(JSON.parse(response.payload.toString())).toMatchObject({ id: 'cmd-lock-1', ok: true });
        expect(response.correlationData?.toString()).toBe('corr-42');
      }
    });

    it('refuses malformed, unsigned, badly signed, stale, wrongly authorized and replayed commands, changing nothing', async () => {
      // Bytes that are not JSON carry no id: the reply names a generated one.
      const unidentified = () => console_.json('cmd/mode/reply').filter((r) => String(r.id).startsWith('unidentified-'));
      const before = unidentified().length;
      await console_.command('mode', '{not json');
      await waitFor(() => unidentified().length > before, 'reply to bytes that are not JSON');
      expect(unidentified().at(-1)).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_INVALID', message: 'payload is not a JSON object' } });
      expectRefused(await console_.send('mode', manager.sign(commandBody('cmd-bad-mode', { mode: 'party', reason: 'r', by: 'x' }))), 'GW_COMMAND_INVALID');
      expectRefused(await console_.send('mode', commandBody('cmd-unsigned', { mode: 'normal', reason: 'r', by: 'x' })), 'GW_COMMAND_UNSIGNED');
      const forged = { ...manager.sign(commandBody('cmd-forged', { mode: 'normal', reason: 'r', by: 'x' })), reason: 'changed after signing' };
      expectRefused(await console_.send('mode', forged), 'GW_COMMAND_BAD_SIGNATURE');
      const old = manager.sign({ ...commandBody('cmd-old', { mode: 'normal', reason: 'r', by: 'x' }), ts: new Date(Date.now() - 3_600_000).toISOString() });
      expectRefused(await console_.send('mode', old), 'GW_COMMAND_STALE');
      expectRefused(await console_.send('roster', district.sign(commandBody('cmd-district-roster', { estate: 'test-estate', version: 'r9', cards: [] }))), 'GW_COMMAND_UNAUTHORIZED');
      // The district's key is trusted by every estate of the district: what it signs names the one it is for.
      const anyEstate = await console_.send('mode', district.sign(commandBody('cmd-district-any', { mode: 'normal', reason: 'r', by: 'cdc' })));
      expect(anyEstate).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_BAD_SIGNATURE', message: expect.stringContaining('"estate": "test-estate"') } });
      expectRefused(await console_.send('mode', district.sign(commandBody('cmd-district-other', { estate: 'rose-court', mode: 'normal', reason: 'r', by: 'cdc' }))), 'GW_COMMAND_INVALID');
      expect(auditRows(harness.gateway.db, 'cmd-district-other')).toEqual([{ ok: 0, code: 'GW_COMMAND_INVALID' }]);
      const reused = await console_.send('mode', manager.sign(commandBody('cmd-lock-1', { mode: 'normal', reason: 'r', by: 'x' })));
      expect(reused).toMatchObject({ ok: false, error: { code: 'GW_COMMAND_REPLAYED' } });
      expect(auditRows(harness.gateway.db, 'cmd-lock-1').at(-1)).toEqual({ ok: 0, code: 'GW_COMMAND_REPLAYED' });
      expect(mode()).toBe('lockdown');

      const observer = await connect('observer');
      // The broker's ACL refuses it (MQTT 5: PUBACK 0x87; 3.1.1: dropped, or the connection closed); the gateway never sees it.
      await new Promise<void>((resolve) => {
        observer.client.once('close', () => resolve());
        observer.client.publish(`${PREFIX}/cmd/mode`, JSON.stringify(commandBody('cmd-observer', { mode: 'normal', reason: 'r', by: 'x' })), { qos: 1 }, () => resolve());
      });
      expect(await console_.send('drill', manager.sign(commandBody('cmd-probe', { drillId: 'd1', scenario: 'probe', by: 'x' })))).toMatchObject({ ok: true });
      observer.client.end(true);
      expect(auditRows(harness.gateway.db, 'cmd-observer')).toEqual([]);
      expect(mode()).toBe('lockdown');
    });

    it('applies a command once by its id: an exact replay gets the first reply and changes nothing', async () => {
      expect(await console_.send('mode', manager.sign(commandBody('cmd-lift-1', { mode: 'normal', reason: 'over', by: 'manager-zhang' })))).toMatchObject({ ok: true });
      expect(mode()).toBe('normal');
      const original = console_.json('cmd/lockdown/reply').filter((r) => r.id === 'cmd-lock-1').length;
      // The first lockdown resent byte for byte (a replay, or a retry after a lost reply): the stored answer, not a second lockdown.
      await console_.command('lockdown', firstLockdown);
      await waitFor(() => console_.json('cmd/lockdown/reply').filter((r) => r.id === 'cmd-lock-1').length > original, 'reply to the replay');
      expect(mode()).toBe('normal');
      expect(accepted('cmd-lock-1')).toEqual({ n: 1 });
    });

    it('publishes status, mode and devices again after the broker restarts without its retained store', async () => {
      await console_.send('lockdown', manager.sign(commandBody('cmd-lock-2', { gates: ['main'], reason: 'case at the main gate', by: 'manager-zhang' })));
      await console_.end();
      await setup.broker.stop();
      await setup.broker.start();
      await waitFor(() => harness.gateway.mqtt.connection.client.connected, 'gateway reconnected', 15_000);
      await openConsole();
      await waitFor(() => console_.json('status').some((s) => s.online === true), 'status after restart');
      await waitFor(() => console_.json('mode').some((m) => JSON.stringify(m.scopes).includes('"scope":"main"')), 'mode after restart');
      await waitFor(() => DEVICES.every((d) => console_.json(`devices/${d}`).length > 0), 'devices after restart');
      const fresh = await connect('observer');
      try {
        await fresh.subscribe('#');
        await waitFor(() => ['status', 'mode', ...DEVICES.map((d) => `devices/${d}`)].every((t) => fresh.received.some((m) => m.topic === `${PREFIX}/${t}` && m.retain)), 'retained state');
      } finally {
        await fresh.end();
      }
    }, 30_000);

    it('emitted only messages that conform to the contract', () => {
      // Commands (some malformed on purpose) and MQTT 5 response topics are the test's own traffic.
      const fromGateway = sessions.flatMap((session) => session.received).filter((m) => !/\/cmd\/[^/]+$/.test(m.topic) && !m.topic.startsWith(`${PREFIX}/replies/`));
      expect(fromGateway.flatMap((m) => checkMessage(PREFIX, m))).toEqual([]);
    });
  });
}
