import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import type { Logger } from 'pino';
import type { Acl, BrokerRole } from './acl.js';
import { verifyPassword } from './password-hash.js';

export interface BrokerUser {
  username: string;
  passwordHash: string;
  role: BrokerRole;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  users: readonly BrokerUser[];
  acl: Acl;
  log: Logger;
}

export interface EmbeddedBroker {
  port: number;
  stop(): Promise<void>;
}

/** [MQTT-3.1.4-… / 3.1.1 §3.2.2.3] CONNACK return code 4: bad user name or password. */
const BAD_CREDENTIALS = 4;

/**
 * The default broker: aedes on a TCP listener. Every client must authenticate,
 * and every publish and subscribe is checked against the role's ACL.
 * aedes 1.2 speaks MQTT 3.1.1 only.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = options.log.child({ module: 'broker' });
  const users = new Map(options.users.map((user) => [user.username, user]));
  const roles = new WeakMap<object, BrokerRole>();

  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const user = username === undefined ? undefined : users.get(username);
      const attempt = user && password ? verifyPassword(password.toString('utf8'), user.passwordHash) : Promise.resolve(false);
      void attempt.then((ok) => {
        if (ok && user) {
          roles.set(client, user.role);
          done(null, true);
          return;
        }
        log.warn({ clientId: client.id, username }, 'mqtt client refused: bad credentials');
        const error = Object.assign(new Error('bad user name or password'), { returnCode: BAD_CREDENTIALS }) as AuthenticateError;
        done(error, false);
      });
    },
    authorizePublish(client, packet, callback) {
      const role = client ? roles.get(client) : undefined;
      if (client && (!role || !options.acl.canPublish(role, packet.topic))) {
        log.warn({ clientId: client.id, topic: packet.topic }, 'mqtt publish refused by ACL');
        callback(new Error('publish not authorized'));
        return;
      }
      callback(null);
    },
    authorizeSubscribe(client, subscription, callback) {
      const role = roles.get(client);
      if (!role || !options.acl.canSubscribe(role, subscription.topic)) {
        log.warn({ clientId: client.id, topic: subscription.topic }, 'mqtt subscription refused by ACL');
        // [MQTT-3.9.3] a refused subscription gets return code 0x80 rather than a dropped connection.
        callback(null, null);
        return;
      }
      callback(null, subscription);
    },
  });

  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ host: options.host, port }, 'embedded MQTT broker listening');

  return {
    port,
    async stop() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
