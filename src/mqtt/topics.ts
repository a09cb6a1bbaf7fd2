/**
 * The topic tree under `gatewarden/<estate>` (DESIGN.md, "MQTT contract").
 * Topic names are the product's public interface: change them only with a new
 * contract version.
 */
export interface Topics {
  prefix: string;
  status: string;
  mode: string;
  health: string;
  stats: string;
  device(deviceId: string): string;
  passage(gate: string, lane: string): string;
  alert(type: string): string;
  command(name: string): string;
  reply(name: string): string;
}

export function topicsFor(prefix: string): Topics {
  return {
    prefix,
    status: `${prefix}/status`,
    mode: `${prefix}/mode`,
    health: `${prefix}/health`,
    stats: `${prefix}/stats`,
    device: (deviceId) => `${prefix}/devices/${deviceId}`,
    passage: (gate, lane) => `${prefix}/passages/${gate}/${lane}`,
    alert: (type) => `${prefix}/alerts/${type}`,
    command: (name) => `${prefix}/cmd/${name}`,
    reply: (name) => `${prefix}/cmd/${name}/reply`,
  };
}

export function defaultPrefix(estateId: string): string {
  return `gatewarden/${estateId}`;
}
