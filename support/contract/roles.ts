import { COMMAND_NAMES } from '../../src/contract/command-schemas.js';
import { aclFor } from '../../src/mqtt/acl.js';
import { BROKER_ROLES, type BrokerRole } from '../../src/core/roles.js';
import type { Channel } from '../../src/contract/channels.js';

const DOC_PREFIX = 'gatewarden/estate';
const acl = aclFor(DOC_PREFIX);

/**
 * Concrete topics of the channel, for asking the ACL: a parameter becomes its
 * first allowed value, except `{name}` (the reply topic), which becomes every
 * command name, since a role may receive the replies of some commands only.
 */
function sampleTopics(channel: Channel): string[] {
  const names = channel.address.includes('{name}') ? COMMAND_NAMES : ['x'];
  return names.map((name) => `${DOC_PREFIX}/${channel.address.replace(/\{(\w+)\}/g, (_match, param: string) => (param === 'name' ? name : (channel.params?.[param]?.[0] ?? 'x')))}`);
}

/**
 * Who may publish and who may receive a channel (some of it, for the reply
 * topic), read from the embedded broker's ACL itself (src/mqtt/acl.ts), so
 * the docs say what the broker does.
 */
export function channelRoles(channel: Channel): { publish: BrokerRole[]; subscribe: BrokerRole[] } {
  const topics = sampleTopics(channel);
  return {
    publish: BROKER_ROLES.filter((role) => topics.some((topic) => acl.canPublish(role, topic))),
    subscribe: BROKER_ROLES.filter((role) => role !== 'gateway' && topics.some((topic) => acl.canSubscribe(role, topic) && acl.canReceive(role, topic))),
  };
}
