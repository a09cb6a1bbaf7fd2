import { BROKER_ROLES, type BrokerRole } from '../core/roles.js';
import type { EmbeddedBrokerConfig, BrokerPasswords } from './config-schema.js';
import type { BrokerUser } from './embedded-broker.js';
import { hashPasswordAsync } from './password-hash.js';

/**
 * The embedded broker's users: those in the config (with scrypt hashes) and
 * those with a password in the secrets file, whose role is their name
 * (`gateway`, `observer`, `manager`, …; any other name is an observer).
 * There is no default user: with neither, nobody but the gateway can log in,
 * and the gateway only when the secrets hold its password.
 */
export async function brokerUsers(config: Pick<EmbeddedBrokerConfig, 'users'>, secrets: BrokerPasswords): Promise<BrokerUser[]> {
  // Hashed side by side on the thread pool, not one after the other on the event loop.
  const fromSecrets = await Promise.all(
    Object.entries(secrets.mqttPasswords).map(async ([username, password]) => ({
      username,
      passwordHash: await hashPasswordAsync(password),
      role: (BROKER_ROLES as readonly string[]).includes(username) ? (username as BrokerRole) : 'observer',
    })),
  );
  const configured = config.users ?? [];
  const names = new Set(configured.map((user) => user.username));
  return [...configured, ...fromSecrets.filter((user) => !names.has(user.username))];
}
