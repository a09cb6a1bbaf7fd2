/**
 * Topic access by role. Each role gets the least it needs: observers only
 * read, only the gateway publishes state. Issue "MQTT" adds guard, manager and
 * district roles and command topics.
 */
export type BrokerRole = 'gateway' | 'observer';

export interface Acl {
  canPublish(role: BrokerRole, topic: string): boolean;
  canSubscribe(role: BrokerRole, filter: string): boolean;
}

export function aclFor(prefix: string): Acl {
  const underPrefix = (topic: string) => topic === prefix || topic.startsWith(`${prefix}/`);
  return {
    canPublish: (role, topic) => role === 'gateway' && underPrefix(topic),
    // A filter is allowed only when it cannot match outside the prefix (`#` alone would).
    canSubscribe: (_role, filter) => underPrefix(filter),
  };
}
