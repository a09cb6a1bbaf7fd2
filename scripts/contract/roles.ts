import { aclFor } from '../../src/mqtt/acl.js';
import { BROKER_ROLES, type BrokerRole } from '../../src/mqtt/config-schema.js';
import type { Channel } from '../../src/mqtt/contract.js';

const DOC_PREFIX = 'gatewarden/estate';
const acl = aclFor(DOC_PREFIX);

/** A concrete topic of the channel, for asking the ACL (a parameter becomes its first allowed value). */
function sampleTopic(channel: Channel): string {
  const address = channel.address.replace(/\{(\w+)\}/g, (_match, param: string) => channel.params?.[param]?.[0] ?? 'x');
  return `${DOC_PREFIX}/${address}`;
}

/**
 * Who may publish and who may receive a channel, read from the embedded
 * broker's ACL itself (src/mqtt/acl.ts), so the docs say what the broker does.
 */
export function channelRoles(channel: Channel): { publish: BrokerRole[]; subscribe: BrokerRole[] } {
  const topic = sampleTopic(channel);
  return {
    publish: BROKER_ROLES.filter((role) => acl.canPublish(role, topic)),
    subscribe: BROKER_ROLES.filter((role) => role !== 'gateway' && acl.canSubscribe(role, topic) && acl.canReceive(role, topic)),
  };
}
