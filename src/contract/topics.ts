/**
 * The topic tree under `gatewarden/<estate>` (docs/design.md, "MQTT contract").
 * Topic names are the product's public interface: change them only with a new
 * contract version.
 */
export interface Topics {
  prefix: string;
  status: string;
  mode: string;
  health: string;
  stats: string;
  /** The signed chain head, retained (docs/district.md). */
  checkpoint: string;
  /** Signed records of reports shed from a full outbox. */
  gap: string;
  /** A summary of every command's audit row. */
  audit: string;
  /** Retained: gates, lanes, devices and the words for every code (docs/mqtt.md). */
  topology: string;
  device(deviceId: string): string;
  passage(gate: string, lane: string): string;
  alert(type: string): string;
  command(name: string): string;
  /** The outcome of every command, without its `data` (docs/mqtt.md, "Replies"). */
  reply(name: string): string;
  /** The whole reply, for the client that sent the command only (the broker's ACL). */
  clientReply(name: string, clientId: string): string;
}

export function topicsFor(prefix: string): Topics {
  return {
    prefix,
    status: `${prefix}/status`,
    mode: `${prefix}/mode`,
    health: `${prefix}/health`,
    stats: `${prefix}/stats`,
    checkpoint: `${prefix}/checkpoint`,
    gap: `${prefix}/gap`,
    audit: `${prefix}/audit`,
    topology: `${prefix}/topology`,
    device: (deviceId) => `${prefix}/devices/${deviceId}`,
    passage: (gate, lane) => `${prefix}/passages/${gate}/${lane}`,
    alert: (type) => `${prefix}/alerts/${type}`,
    command: (name) => `${prefix}/cmd/${name}`,
    reply: (name) => `${prefix}/cmd/${name}/reply`,
    clientReply: (name, clientId) => `${prefix}/cmd/${name}/reply/${clientId}`,
  };
}

export function defaultPrefix(estateId: string): string {
  return `gatewarden/${estateId}`;
}

/** Whether a client id can be one topic level ([MQTT-4.7.1]: no wildcard, no separator) of `…/reply/<clientId>`. */
export function isTopicLevel(clientId: string): boolean {
  return clientId.length > 0 && clientId.length <= 128 && !/[/+#]/.test(clientId) && !clientId.includes('\u0000');
}
