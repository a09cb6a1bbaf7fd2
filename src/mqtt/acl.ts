import { COMMAND_ROLES } from '../commands/command-roles.js';
import type { CommandName } from '../contract/command-schemas.js';
import type { BrokerRole } from '../core/roles.js';

export type { BrokerRole } from '../core/roles.js';

/**
 * Topic access by role, for the embedded broker. Each role gets the least it
 * needs: only the gateway publishes state and replies; guards, managers, the
 * approver and the district publish the commands COMMAND_ROLES gives them;
 * observers only read, and never see commands or replies (which may name a
 * resident); the approver sees of the command traffic only the commands it may
 * send itself and their replies.
 * Wills are checked as publishes when the broker fires them.
 */
export interface Acl {
  canPublish(role: BrokerRole, topic: string): boolean;
  canSubscribe(role: BrokerRole, filter: string): boolean;
  /**
   * Whether a message on `topic` may be delivered to a subscriber of this role. A private reply
   * `…/cmd/<name>/reply/<clientId>` goes to the client with that id only; without `clientId`, to no one.
   */
  canReceive(role: BrokerRole, topic: string, clientId?: string): boolean;
  /** The command name when `topic` is a command topic `…/cmd/<name>`. */
  commandName(topic: string): string | undefined;
  /** What follows `…/cmd/` on any topic in the command namespace (`lockdown/extra`, `open/reply`), else undefined. */
  commandPath(topic: string): string | undefined;
}

/** `discoveryPrefix`: Home Assistant's (mqtt.homeAssistant), where the gateway alone publishes and every role may read. */
export function aclFor(prefix: string, discoveryPrefix?: string): Acl {
  const under = (root: string, topic: string) => topic === root || topic.startsWith(`${root}/`);
  const underPrefix = (topic: string) => under(prefix, topic);
  const underDiscovery = (topic: string) => discoveryPrefix !== undefined && under(discoveryPrefix, topic);
  const cmdPrefix = `${prefix}/cmd/`;
  const commandName = (topic: string) => {
    if (!topic.startsWith(cmdPrefix)) return undefined;
    const name = topic.slice(cmdPrefix.length);
    return name.length > 0 && !name.includes('/') ? name : undefined;
  };
  const isCommandTraffic = (topic: string) => topic.startsWith(cmdPrefix);
  /** `…/cmd/<name>` or `…/cmd/<name>/reply`: the command it is about. */
  const commandOf = (topic: string) => topic.slice(cmdPrefix.length).split('/')[0] ?? '';
  // hasOwn: a topic such as `…/cmd/constructor` must not reach Object.prototype.
  const mayIssue = (role: BrokerRole, name: string) => Object.hasOwn(COMMAND_ROLES, name) && (COMMAND_ROLES[name as CommandName] as readonly string[]).includes(role);
  return {
    commandName,
    commandPath: (topic) => (isCommandTraffic(topic) ? topic.slice(cmdPrefix.length) : undefined),
    canPublish(role, topic) {
      if (underDiscovery(topic)) return role === 'gateway';
      if (!underPrefix(topic)) return false;
      const name = commandName(topic);
      if (role === 'gateway') return name === undefined;
      return name !== undefined && mayIssue(role, name);
    },
    // A filter is allowed only when it cannot match outside the prefix (`#` alone would).
    canSubscribe: (_role, filter) => underPrefix(filter) || underDiscovery(filter),
    canReceive(role, topic, clientId) {
      if (!isCommandTraffic(topic)) return true;
      const levels = topic.slice(cmdPrefix.length).split('/');
      if (levels.length > 2 && levels[1] === 'reply') return clientId !== undefined && levels.slice(2).join('/') === clientId;
      if (role === 'observer') return false;
      return role !== 'approver' || mayIssue(role, commandOf(topic));
    },
  };
}
