import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { aclFor } from '../../src/mqtt/acl.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../src/mqtt/embedded-broker.js';
import { hashPassword } from '../../src/mqtt/password-hash.js';
import { loadSecrets, type Secrets } from '../../src/secrets.js';
import { startHarness, type Harness } from '../gateway/gateway-harness.js';
import { freePort, startMosquitto, type MosquittoUser } from './mosquitto.js';

/** A broker the gateway reaches by URL, which a test can stop and start again on the same port. */
export interface ExternalBroker {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export type BrokerFactory = (prefix: string, users: readonly MosquittoUser[]) => Promise<ExternalBroker>;

export const mosquittoBroker: BrokerFactory = (prefix, users) => startMosquitto({ prefix, users });

/** aedes with the embedded broker's users, ACL and limits, run on its own (as another process would). */
export const aedesBroker: BrokerFactory = async (prefix, users) => {
  const port = await freePort();
  const options = {
    config: { host: '127.0.0.1', port },
    users: users.map((user) => ({ username: user.username, role: user.role, passwordHash: hashPassword(user.password) })),
    acl: aclFor(prefix),
    log: pino({ level: 'silent' }),
  };
  let broker: EmbeddedBroker | undefined = await startEmbeddedBroker(options);
  const stop = async () => {
    await broker?.stop();
    broker = undefined;
  };
  return {
    url: `mqtt://127.0.0.1:${port}`,
    stop,
    async start() {
      broker = await startEmbeddedBroker(options);
    },
    close: stop,
  };
};

export interface ExternalSetup {
  dir: string;
  secrets: Secrets;
  broker: ExternalBroker;
  /** Starts (or restarts, on the same database) a gateway that uses the external broker. */
  startGateway(overrides?: Record<string, unknown>): Promise<Harness>;
  close(): Promise<void>;
}

/**
 * Secrets first (the broker needs the gateway's password), then the broker
 * with the gateway, manager and observer users, then gateways on a database
 * that outlives them.
 */
export async function setUpExternal(options: { prefix: string; broker: BrokerFactory; protocolVersion: 4 | 5; commands?: Record<string, unknown> }): Promise<ExternalSetup> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-external-'));
  const secretsPath = join(dir, 'secrets.json');
  const { secrets } = loadSecrets(secretsPath, true, false);
  const users: MosquittoUser[] = (['gateway', 'manager', 'observer'] as const).map((role) => ({ username: role, password: secrets.mqttPasswords[role] as string, role }));
  const broker = await options.broker(options.prefix, users);
  return {
    dir,
    secrets,
    broker,
    startGateway: (overrides = {}) =>
      startHarness({
        mqtt: {
          broker: { type: 'external', url: broker.url, username: 'gateway', passwordSecret: 'gateway', protocolVersion: options.protocolVersion },
          healthIntervalS: 1,
        },
        storage: { path: join(dir, 'gatewarden.db'), synchronous: 'normal' },
        secrets: { path: secretsPath, generate: false },
        ...(options.commands ? { commands: options.commands } : {}),
        ...overrides,
      }),
    async close() {
      await broker.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
