import { ALERT_TYPES } from '../core/alerts.js';
import { MODES } from '../core/mode.js';
import type { EstateLayout, GateConfig, LaneConfig } from '../estate/layout-schema.js';
import type { MqttConfig } from './config-schema.js';
import { VERSION } from '../version.js';
import { MessagePriority, type OutgoingMessage } from '../contract/messages.js';
import type { Topics } from '../contract/topics.js';

/**
 * Home Assistant MQTT discovery (issue 16), when `mqtt.homeAssistant.enabled`:
 * one retained config per entity under `<prefix>/<component>/gatewarden_<estate>/<object>/config`,
 * each pointing at the gateway's own topics, so Home Assistant reads what every
 * other consumer reads and the gateway publishes nothing twice. No `object_id`
 * (deprecated in Home Assistant 2025.10): the entity id follows the device and entity names.
 * Format: https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery
 */

type Component = 'binary_sensor' | 'sensor' | 'event';
type HaDevice = Record<string, unknown>;

export function homeAssistantDiscovery(config: EstateLayout & { readonly mqtt: Pick<MqttConfig, 'homeAssistant'> }, topics: Topics): OutgoingMessage[] {
  const ha = config.mqtt.homeAssistant;
  if (!ha.enabled) return [];
  const node = `gatewarden_${config.estate.id}`.replace(/-/g, '_');
  const common = {
    // The gateway's last will turns `…/status` offline, and with it every entity.
    availability_topic: topics.status,
    availability_template: "{{ 'online' if value_json.online else 'offline' }}",
    origin: { name: 'gatewarden', sw_version: VERSION },
  };
  const message = (component: Component, objectId: string, device: HaDevice, fields: Record<string, unknown>): OutgoingMessage => ({
    topic: `${ha.prefix}/${component}/${node}/${objectId}/config`,
    payload: JSON.stringify({ ...common, unique_id: `${node}_${objectId}`, device, ...fields }),
    qos: 1,
    retain: true,
    priority: MessagePriority.Stats,
  });
  const estateDevice: HaDevice = { identifiers: [node], name: config.estate.name, manufacturer: 'gatewarden', model: 'estate gateway', sw_version: VERSION };
  const messages: OutgoingMessage[] = [
    message('sensor', 'mode', estateDevice, { name: 'Mode', state_topic: topics.mode, value_template: '{{ value_json.mode }}', device_class: 'enum', options: [...MODES] }),
    // One event entity per alert type: an automation can wait for `fever` alone.
    ...ALERT_TYPES.map((type) =>
      message('event', `alert_${type.replace(/-/g, '_')}`, estateDevice, {
        name: `Alert ${type}`,
        state_topic: topics.alert(type),
        event_types: [type],
        value_template: "{{ {'event_type': value_json.type, 'severity': value_json.severity, 'gate': value_json.gate, 'lane': value_json.lane, 'reasons': value_json.reasons} | to_json }}",
      }),
    ),
  ];
  for (const gate of config.gates) {
    messages.push(...gateCounts(gate, estateDevice, topics, message));
    for (const lane of gate.lanes) messages.push(...laneEntities(node, gate, lane, topics, message));
  }
  return messages;
}

type MessageFor = (component: Component, objectId: string, device: HaDevice, fields: Record<string, unknown>) => OutgoingMessage;

/** Counts from `…/stats`, per report interval (mqtt.statsIntervalS): Home Assistant's utility_meter sums them into a day. */
function gateCounts(gate: GateConfig, device: HaDevice, topics: Topics, message: MessageFor): OutgoingMessage[] {
  const counts: Array<[string, string, string]> = [
    ['passed', 'grant', 'Passed'],
    ['denied', 'deny', 'Refused'],
    ['referred', 'refer', 'Referred to guard'],
    ['fevers', 'fevers', 'Fevers'],
  ];
  return counts.map(([object, key, name]) =>
    message('sensor', `${id(gate.id)}_${object}`, device, {
      name: `${gate.name}: ${name} per report`,
      state_topic: topics.stats,
      // A gate with no passage in the interval is absent from the report: 0, not unknown.
      value_template: `{{ value_json.gates['${gate.id}'].${key} if '${gate.id}' in value_json.gates else 0 }}`,
      state_class: 'measurement',
      unit_of_measurement: 'passages',
    }),
  );
}

function laneEntities(node: string, gate: GateConfig, lane: LaneConfig, topics: Topics, message: MessageFor): OutgoingMessage[] {
  const device: HaDevice = {
    identifiers: [`${node}_${id(gate.id)}_${id(lane.id)}`],
    name: `${gate.name} ${lane.id}`,
    manufacturer: 'gatewarden',
    model: `${lane.kind} lane (${lane.direction})`,
    sw_version: VERSION,
    via_device: node,
  };
  const object = `${id(gate.id)}_${id(lane.id)}`;
  const passages = topics.passage(gate.id, lane.id);
  return [
    message('binary_sensor', `${object}_granted`, device, {
      name: 'Last passage granted',
      state_topic: passages,
      value_template: "{{ 'ON' if value_json.verdict == 'grant' else 'OFF' }}",
    }),
    message('sensor', `${object}_verdict`, device, { name: 'Last verdict', state_topic: passages, value_template: '{{ value_json.verdict }}', device_class: 'enum', options: ['grant', 'deny', 'refer'] }),
    message('sensor', `${object}_reasons`, device, { name: 'Last reasons', state_topic: passages, value_template: "{{ value_json.reasons | join(', ') }}" }),
    // A passage without a reading carries null, which renders "None": Home Assistant shows that as unknown.
    message('sensor', `${object}_temperature`, device, {
      name: 'Last temperature',
      state_topic: passages,
      value_template: '{{ value_json.temperatureC }}',
      device_class: 'temperature',
      unit_of_measurement: '°C',
      state_class: 'measurement',
    }),
    ...Object.entries(lane.devices).flatMap(([slot, deviceId]) =>
      deviceId === undefined
        ? []
        : [
            message('binary_sensor', `${object}_${id(slot)}_online`, device, {
              name: `${slot} online`,
              state_topic: topics.device(deviceId),
              value_template: "{{ 'ON' if value_json.availability == 'online' else 'OFF' }}",
              device_class: 'connectivity',
            }),
          ],
    ),
  ];
}

/** Home Assistant's object ids are `[a-zA-Z0-9_-]`; ours are lower-case with dashes, kept readable as underscores. */
function id(value: string): string {
  return value.replace(/[^a-zA-Z0-9_]/g, '_');
}
