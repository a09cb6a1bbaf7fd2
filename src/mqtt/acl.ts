import { COMMAND_ROLES } from '../commands/command-roles.js';
import type { CommandName } from '../commands/types.js';
import type { BrokerRole } from './config-schema.js';

export type { BrokerRole } from './config-schema.js';

/**
 * Topic access by role, for the embedded broker. Each role gets the least it
 * needs: only the gateway publishes state and replies; guards, managers and
 * the district publish the commands COMMAND_ROLES gives them; observers only
 * read, and never see commands or replies (which may name a resident).
 * Wills are checked as publishes when the broker fires them.
 */
export interface Acl {
  canPublish(role: BrokerRole, topic: string): boolean;
  canSubscribe(role: BrokerRole, filter: string): boolean;
  /** Whether a message on `topic` may be delivered to a subscriber of this role. */
  canReceive(role: BrokerRole, topic: string): boolean;
  /** The command name when `topic` is a command topic `…/cmd/<name>`. */
  commandName(topic: string): string | undefined;
}

export function aclFor(prefix: string): Acl {
  const underPrefix = (topic: string) => topic === prefix || topic.startsWith(`${prefix}/`);
  const cmdPrefix = `${prefix}/cmd/`;
  const commandName = (topic: string) => {
    if (!topic.startsWith(cmdPrefix)) return undefined;
    const name = topic.slice(cmdPrefix.length);
    return name.length > 0 && !name.includes('/') ? name : undefined;
  };
  const isCommandTraffic = (topic: string) => topic.startsWith(cmdPrefix);
  return {
    commandName,
    canPublish(role, topic) {
      if (!underPrefix(topic)) return false;
      const name = commandName(topic);
      if (role === 'gateway') return name === undefined;
      if (name === undefined) return false;
      const allowed = COMMAND_ROLES[name as CommandName] as readonly string[] | undefined;
      return allowed !== undefined && allowed.includes(role);
    },
    // A filter is allowed only when it cannot match outside the prefix (`#` alone would).
    canSubscribe: (_role, filter) => underPrefix(filter),
    canReceive: (role, topic) => role !== 'observer' || !isCommandTraffic(topic),
  };
}
