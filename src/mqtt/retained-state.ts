import { randomUUID } from 'node:crypto';
import type { EstateLayout } from '../estate/layout-schema.js';
import type { MqttConfig } from './config-schema.js';
import type { Clock } from '../core/clock.js';
import type { AnyDevice } from '../drivers/device.js';
import type { EstateState } from '../estate/estate-state.js';
import type { Connection } from './connection.js';
import { homeAssistantDiscovery } from './home-assistant.js';
import { topologyMessage } from '../contract/messages.js';
import { PAYLOAD_VERSION } from '../contract/payload-version.js';
import type { DeviceMessage, ModeMessage } from '../contract/state-payloads.js';
import type { Topics } from '../contract/topics.js';
import { describeTopology } from './topology.js';

export interface RetainedState {
  publishDevice(device: AnyDevice): void;
  /** The retained `…/mode`, and `…/status` again (it carries the estate mode). */
  publishModeAndStatus(): void;
}

/**
 * The retained topics that say how things are now: the mode, each device, the
 * topology and the Home Assistant discovery. Republished on every connect, so
 * a restarted broker never serves stale or missing state.
 */
export function retainedState(options: { config: EstateLayout & { readonly mqtt: MqttConfig }; connection: Connection; topics: Topics; estate: EstateState; devices: readonly AnyDevice[]; clock: Clock }): RetainedState {
  const { config, connection, topics, estate, clock } = options;
  const { client } = connection;
  const publishRetained = (topic: string, payload: object) => {
    if (client.connected) client.publish(topic, JSON.stringify(payload), { qos: 1, retain: true });
  };
  const envelope = () => ({ id: randomUUID(), ts: new Date(clock.now()).toISOString(), v: PAYLOAD_VERSION as typeof PAYLOAD_VERSION });
  const publishDevice = (device: AnyDevice) => {
    const status = device.status();
    const payload: DeviceMessage = {
      ...envelope(),
      device: device.id,
      role: device.role,
      availability: status.availability,
      since: new Date(status.since).toISOString(),
      lastError: status.lastError ? { code: status.lastError.code, message: status.lastError.message, at: new Date(status.lastError.at).toISOString() } : null,
    };
    publishRetained(topics.device(device.id), payload);
  };
  const publishMode = () => {
    const scopes = [...estate.activeModes()].map(([scope, m]) => ({
      scope,
      mode: m.mode,
      reason: m.reason,
      by: m.by,
      since: new Date(m.since).toISOString(),
      expiresAt: m.expiresAt === null ? null : new Date(m.expiresAt).toISOString(),
      drill: m.drill,
    }));
    const payload: ModeMessage = { ...envelope(), mode: estate.mode, scopes };
    publishRetained(topics.mode, payload);
  };
  client.on('connect', () => {
    publishMode();
    options.devices.forEach(publishDevice);
    // The config is frozen for the process's life: each start (and reconnect) retains the topology it runs.
    for (const message of [topologyMessage(topics, randomUUID(), clock.now(), describeTopology(config)), ...homeAssistantDiscovery(config, topics)]) {
      client.publish(message.topic, message.payload, { qos: message.qos, retain: message.retain });
    }
  });
  return {
    publishDevice,
    publishModeAndStatus: () => {
      publishMode();
      connection.publishStatus();
    },
  };
}
