import { StorageFaultReporter } from '../mqtt/storage-fault-reporter.js';
import { reportBrokerOutages } from '../mqtt/broker-outage-reporter.js';
import type { OutgoingMessage } from '../contract/messages.js';
import { startMqtt, type MqttLink } from '../mqtt/mqtt-link.js';
import { LinkState } from '../store/link-state.js';
import type { GatewayStore, StartContext } from './context.js';
import type { GatewayEstate } from './estate.js';
import type { LocalParts } from './local-parts.js';

/**
 * Brings up the MQTT side and hangs it on the bus: mode changes republish the
 * retained mode, queued messages wake the publishers, storage faults go to the
 * broker from memory. The database watch starts once its faults have a listener.
 */
export async function connectBroker(context: StartContext, store: GatewayStore, { estate }: GatewayEstate, parts: LocalParts): Promise<MqttLink> {
  const { config, secrets, clock, log, stops } = context;
  const { db, journal, events, topics } = store;
  const mqtt = await startMqtt({ config, secrets, topics, clock, log, db, journal, estate, lanes: parts.lanes, devices: [...parts.devices.values()], commands: parts.commands });
  stops.push(() => mqtt.stop());
  events.on('mode-changed', () => mqtt.publishMode());
  events.on('journal-enqueued', () => mqtt.onEnqueued());
  const storageFaults = new StorageFaultReporter((message) => publishDirect(mqtt, message), topics, clock, log);
  events.on('storage-fault', ({ error, where }) => storageFaults.report(error, where));
  mqtt.connection.client.on('connect', () => void storageFaults.flush());
  parts.storage.start();
  const outages = reportBrokerOutages({ client: mqtt.connection.client, journal, clock, log, url: mqtt.url, state: new LinkState(db) });
  stops.push(outages.stop);
  return mqtt;
}

/** A storage-fault alert cannot go through the outbox: straight to the broker, QoS 1, when connected. */
function publishDirect(link: MqttLink, message: OutgoingMessage): Promise<boolean> {
  const { client } = link.connection;
  if (!client.connected) return Promise.resolve(false);
  return new Promise((resolve) => client.publish(message.topic, message.payload, { qos: 1, retain: message.retain }, (error) => resolve(!error)));
}
