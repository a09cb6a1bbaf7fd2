import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { MqttClient, type IClientOptions } from 'mqtt';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { aclFor } from '../../../src/mqtt/acl.js';
import { startEmbeddedBroker, type EmbeddedBroker, type EmbeddedBrokerOptions } from '../../../src/mqtt/embedded-broker.js';
import { hashPassword } from '../../../src/mqtt/password-hash.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { makeTestCerts } from './test-certs.js';

const PREFIX = 'gatewarden/test-estate';
const PASSWORD = 'gateway-password-123';

function brokerOptions(config: EmbeddedBrokerOptions['config']): EmbeddedBrokerOptions {
  const passwordHash = hashPassword(PASSWORD);
  // As the gateway's own broker: its session in-process, its user refused on sockets.
  return { config, users: [{ username: 'gateway', role: 'gateway', passwordHash }, { username: 'manager', role: 'manager', passwordHash }], acl: aclFor(PREFIX), log: pino({ level: 'silent' }), gatewayInProcess: true };
}

/**
 * Whether the broker accepts the connection (CONNACK 0) or turns it away. The
 * client waits longer than the test may run, so a refusal must come from the
 * broker (a refusing CONNACK or a closed socket), never from a socket left hanging.
 */
function tryConnect(url: string, options: IClientOptions, clients: MqttClient[]): Promise<'connected' | 'refused'> {
  return new Promise((resolve) => {
    const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 60_000, protocolVersion: 4, ...options });
    clients.push(client);
    client.once('connect', () => resolve('connected'));
    client.once('error', () => resolve('refused'));
    client.once('close', () => resolve('refused'));
  });
}

describe('embedded broker limits', () => {
  let broker: EmbeddedBroker | undefined;
  const clients: MqttClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.end(true);
    await broker?.stop();
    broker = undefined;
  });

  it('has no default user: anonymous and unknown clients are refused', async () => {
    broker = await startEmbeddedBroker(brokerOptions({ host: '127.0.0.1', port: 0 }));
    const url = `mqtt://127.0.0.1:${broker.port}`;
    expect(await tryConnect(url, {}, clients)).toBe('refused');
    expect(await tryConnect(url, { username: 'admin', password: 'admin' }, clients)).toBe('refused');
    expect(await tryConnect(url, { username: 'manager', password: PASSWORD }, clients)).toBe('connected');
    // The gateway's session is in-process: its user is refused on a socket, even with the password.
    expect(await tryConnect(url, { username: 'gateway', password: PASSWORD }, clients)).toBe('refused');
  });

  it('turns away connections past maxConnections', async () => {
    // A manager may use every slot but the gateway's own: 3 slots, 2 for manager consoles.
    broker = await startEmbeddedBroker(brokerOptions({ host: '127.0.0.1', port: 0, limits: { maxPayloadBytes: 1024, maxConnections: 3, queueLimit: 10 } }));
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const login = { username: 'manager', password: PASSWORD };
    expect(await tryConnect(url, login, clients)).toBe('connected');
    expect(await tryConnect(url, login, clients)).toBe('connected');
    expect(await tryConnect(url, login, clients)).toBe('refused');
  });
});

describeWithTools(['openssl'], 'embedded broker TLS listener', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-tls-'));
  const certs = makeTestCerts(dir);
  let broker: EmbeddedBroker | undefined;
  const clients: MqttClient[] = [];

  afterAll(async () => {
    for (const client of clients.splice(0)) client.end(true);
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves mqtts beside the plain listener and, with a CA, requires a client certificate', async () => {
    broker = await startEmbeddedBroker(
      brokerOptions({ host: '127.0.0.1', port: 0, tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, caFile: certs.caFile, port: 0 } }),
    );
    const url = `mqtts://127.0.0.1:${broker.tlsPort}`;
    const login = { username: 'manager', password: PASSWORD, ca: readFileSync(certs.caFile) };
    expect(await tryConnect(url, login, clients)).toBe('refused');
    expect(await tryConnect(url, { ...login, cert: readFileSync(certs.clientCertFile), key: readFileSync(certs.clientKeyFile) }, clients)).toBe('connected');
    expect(await tryConnect(`mqtt://127.0.0.1:${broker.port}`, { username: 'manager', password: PASSWORD }, clients)).toBe('connected');
  });

  it('with plaintext false runs no plain listener; the gateway reaches it in-process', async () => {
    await broker?.stop();
    broker = await startEmbeddedBroker(brokerOptions({ host: '127.0.0.1', port: 0, tls: { certFile: certs.serverCertFile, keyFile: certs.serverKeyFile, port: 0, plaintext: false } }));
    expect(broker.url).toBe(`mqtts://127.0.0.1:${broker.tlsPort}`);
    // The only port is the TLS one: a plain MQTT client gets no CONNACK there.
    expect(await tryConnect(`mqtt://127.0.0.1:${broker.port}`, { username: 'manager', password: PASSWORD, connectTimeout: 3000 }, clients)).toBe('refused');
    expect(await tryConnect(`mqtts://127.0.0.1:${broker.tlsPort}`, { username: 'manager', password: PASSWORD, ca: readFileSync(certs.caFile) }, clients)).toBe('connected');
    const local = new MqttClient(broker.connectLocal, { username: 'gateway', password: PASSWORD, clientId: 'gateway-local', reconnectPeriod: 0, protocolVersion: 4 });
    clients.push(local);
    await new Promise((resolve, reject) => {
      local.once('connect', resolve);
      local.once('error', reject);
    });
    await local.endAsync();
  });
});
