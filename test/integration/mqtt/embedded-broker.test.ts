import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { MqttClient, type IClientOptions } from 'mqtt';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { aclFor } from '../../../src/mqtt/acl.js';
import { CONNACK } from '../../../src/mqtt/broker-hooks.js';
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
async function tryConnect(url: string, options: IClientOptions, clients: MqttClient[]): Promise<'connected' | 'refused'> {
  return (await connack(url, options, clients)) === 0 ? 'connected' : 'refused';
}

/**
 * The CONNACK return code the broker answers (0: connected), or 'closed' when it closes the socket without one.
 * `from`: a plain connection from that local address (another host of the LAN).
 */
function connack(url: string, options: IClientOptions, clients: MqttClient[], from?: string): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const settings: IClientOptions = { reconnectPeriod: 0, connectTimeout: 60_000, protocolVersion: 4, ...options };
    const { hostname, port } = new URL(url);
    const client = from === undefined ? mqtt.connect(url, settings) : new MqttClient(() => netConnect({ host: hostname, port: Number(port), localAddress: from }), settings);
    clients.push(client);
    client.once('connect', () => resolve(0));
    client.once('error', (error) => resolve(typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 'closed'));
    client.once('close', () => resolve('closed'));
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

  // Found from outside: six observers of one host logging in at once with the right password got CONNACK 5 past
  // 2 checks in flight (`address-busy`), and clients give up on 5: a persistent subscriber missed every later alert.
  it('lets 8 clients of one host log in at once with the right password', async () => {
    broker = await startEmbeddedBroker(brokerOptions({ host: '127.0.0.1', port: 0 }));
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const logins = Array.from({ length: 8 }, (_, i) => connack(url, { username: 'manager', password: PASSWORD, clientId: `manager-burst${i}`, clean: i % 2 === 0 }, clients));
    expect(await Promise.all(logins)).toEqual(Array(8).fill(0));
  });

  it('still backs a host off after wrong passwords, and only that host', async () => {
    broker = await startEmbeddedBroker(brokerOptions({ host: '127.0.0.1', port: 0 }));
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const guess = (i: number) => connack(url, { username: 'manager', password: `guess-${i}`, clientId: `manager-guess${i}` }, clients, '127.0.0.2');
    // Two bursts of 6 (a host may hold 8 sockets before login): past 10 failures the host is blocked.
    const codes = [...(await Promise.all([0, 1, 2, 3, 4, 5].map(guess))), ...(await Promise.all([6, 7, 8, 9, 10, 11].map(guess)))];
    expect(codes.every((code) => code === CONNACK.BAD_CREDENTIALS || code === CONNACK.NOT_AUTHORIZED)).toBe(true);
    const right = { username: 'manager', password: PASSWORD };
    expect(await connack(url, { ...right, clientId: 'manager-after-guesses' }, clients, '127.0.0.2')).toBe(CONNACK.NOT_AUTHORIZED);
    expect(await connack(url, { ...right, clientId: 'manager-console' }, clients)).toBe(0);
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
