import { afterAll, describe, expect, it } from 'vitest';
import { waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';
import { createIssuer } from '../../helpers/health-pass-issuer.js';
import { RESIDENT, showCardThenPass } from '../../helpers/resident.js';
import { freePort } from '../../../support/brokers/mosquitto.js';
import { aedesBroker, setUpExternal, type ExternalSetup } from '../../../support/brokers/external-broker.js';
import { commandBody, TestClient } from './mqtt-test-client.js';
import { managerSigner } from '../../../support/signed-commands.js';

/** docs/design.md: the mode is persisted and applied by every lane even when no broker is reachable. */
describe('lockdown without a broker', () => {
  let setup: ExternalSetup;
  let harness: Harness | undefined;
  const prefix = 'gatewarden/test-estate';

  afterAll(async () => {
    await harness?.stop();
    await setup?.close();
  });

  it('stays in force for every lane after a restart with the broker unreachable', async () => {
    setup = await setUpExternal({ prefix, broker: aedesBroker, protocolVersion: 4 });
    harness = await setup.startGateway();
    const manager = await TestClient.connect({ url: setup.broker.url, prefix, username: 'manager', password: setup.secrets.mqttPasswords.manager });
    await manager.subscribe('cmd/+/reply');
    // The gateway subscribes to commands when its connection comes up, just before it publishes the
    // online status: a command sent before that would reach nobody.
    await manager.subscribe('status');
    await waitFor(() => manager.json('status').some((s) => s.online === true), 'gateway online');
    expect(await manager.send('lockdown', managerSigner(setup.secrets).sign(commandBody('lock-offline-1', { reason: 'confirmed case', by: 'manager-zhang' })))).toMatchObject({ ok: true });
    await manager.end();
    await harness.stop();
    harness = undefined;
    await setup.broker.close();

    // Nothing listens on this port: the gateway starts, keeps retrying the broker, and decides locally.
    const deadUrl = `mqtt://127.0.0.1:${await freePort()}`;
    const issuer = createIssuer('district-health');
    harness = await setup.startGateway({
      trust: { maxAgeHours: 24, issuers: [{ kid: issuer.kid, publicKey: issuer.publicKey }] },
      mqtt: { broker: { type: 'external', url: deadUrl, username: 'gateway', passwordSecret: 'gateway', protocolVersion: 4 }, healthIntervalS: 1 },
    });
    const { gateway } = harness;
    expect(gateway.mqtt.connection.client.connected).toBe(false);
    expect(gateway.estate.mode).toBe('lockdown');
    for (const lane of gateway.lanes.values()) expect(gateway.estate.modeFor(lane.id.split('/')[0]), lane.id).toBe('lockdown');

    // A lane records the mode it decided under: the lockdown, with no broker in sight.
    harness.thermometer('in-thermo').present(36.6);
    harness.barrier('in-barrier').expectWalk(50);
    showCardThenPass(harness.scanner('in-scanner'), issuer.issue({ sub: RESIDENT.subject }));
    const passage = await waitFor(() => harness?.passages[0], 'passage during lockdown');
    expect(passage.mode).toBe('lockdown');
    expect(passage.decision).toMatchObject({ verdict: 'grant', reasons: ['CARD_VALID', 'CODE_GREEN', 'TEMP_NORMAL'] });
    expect(gateway.journal.outbox.stats(Date.now()).depth).toBeGreaterThan(0);
  });
});
