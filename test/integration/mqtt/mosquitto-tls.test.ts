import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadSecrets } from '../../../src/secrets.js';
import { startHarness, waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';
import { MOSQUITTO_TOOLS, startMosquitto, type Mosquitto } from '../../../support/brokers/mosquitto.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { managerSigner, type CommandSigner } from '../../../support/signed-commands.js';
import { commandBody, TestClient } from './mqtt-test-client.js';
import { makeTestCerts } from './test-certs.js';

const PREFIX = 'gatewarden/test-estate';

/** External broker over mqtts://, the gateway identified by its client certificate (CN = gateway) instead of a password. */
describeWithTools([...MOSQUITTO_TOOLS, 'openssl'], 'gateway on Mosquitto over mqtts:// with a client certificate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-mqtts-'));
  let mosquitto: Mosquitto;
  let harness: Harness;
  let manager: TestClient;
  let signer: CommandSigner;

  beforeAll(async () => {
    const certs = makeTestCerts(dir);
    const secretsPath = join(dir, 'secrets.json');
    const { secrets } = loadSecrets(secretsPath, true, false);
    // The manager key generated with the secrets, which the gateway trusts: MQTT commands are signed by default.
    signer = managerSigner(secrets);
    mosquitto = await startMosquitto({
      prefix: PREFIX,
      users: [
        { username: 'gateway', password: secrets.mqttPasswords.gateway as string, role: 'gateway' },
        { username: 'manager', password: secrets.mqttPasswords.manager as string, role: 'manager' },
      ],
      tls: { caFile: certs.caFile, certFile: certs.serverCertFile, keyFile: certs.serverKeyFile },
    });
    manager = await TestClient.connect({ url: mosquitto.url, prefix: PREFIX, username: 'manager', password: secrets.mqttPasswords.manager, protocolVersion: 5 });
    await manager.subscribe('#');
    harness = await startHarness({
      secrets: { path: secretsPath, generate: false },
      mqtt: {
        broker: { type: 'external', url: mosquitto.tlsUrl, caFile: certs.caFile, certFile: certs.clientCertFile, keyFile: certs.clientKeyFile, protocolVersion: 5 },
      },
    });
  });

  afterAll(async () => {
    await manager?.end();
    await harness?.stop();
    await mosquitto?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes its status and takes a lockdown command', async () => {
    await waitFor(() => manager.json('status').some((status) => status.online === true), 'online status over TLS');
    expect(await manager.send('lockdown', signer.sign(commandBody('tls-lock-1', { reason: 'confirmed case', by: 'manager-zhang' })))).toMatchObject({ ok: true });
    expect(harness.gateway.estate.mode).toBe('lockdown');
  });
});
