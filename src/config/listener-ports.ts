import type { Config } from './schema.js';

interface Listener {
  key: string;
  host: string;
  port: number;
}

const ANY_ADDRESS = new Set(['0.0.0.0', '::', '']);

/**
 * Two listeners of the gateway on one port would fail at start with EADDRINUSE
 * after the database and the serial ports are open: refused here instead, with
 * both keys named. Port 0 asks the system for a free port and never collides.
 */
export function listenerPortClashes(config: Config): string[] {
  const listeners = gatewayListeners(config).filter((listener) => listener.port !== 0);
  const errors: string[] = [];
  listeners.forEach((listener, i) => {
    const clash = listeners.slice(0, i).find((other) => other.port === listener.port && sameAddress(other.host, listener.host));
    if (clash) errors.push(`${listener.key}: expected a port no other listener uses, ${listener.port} is also ${clash.key}`);
  });
  return errors;
}

function gatewayListeners(config: Config): Listener[] {
  const listeners: Listener[] = [];
  const { broker } = config.mqtt;
  if (broker.type === 'embedded') {
    if (broker.tls?.plaintext !== false) listeners.push({ key: 'mqtt.broker.port', host: broker.host, port: broker.port });
    if (broker.tls) listeners.push({ key: 'mqtt.broker.tls.port', host: broker.host, port: broker.tls.port ?? 8883 });
  }
  const { http } = config;
  if (http.enabled) {
    if (http.plain) listeners.push({ key: 'http.port', host: http.host, port: http.port });
    if (http.tls.enabled) listeners.push({ key: 'http.tls.port', host: http.tls.host, port: http.tls.port });
  }
  return listeners;
}

function sameAddress(a: string, b: string): boolean {
  return a === b || ANY_ADDRESS.has(a) || ANY_ADDRESS.has(b);
}
