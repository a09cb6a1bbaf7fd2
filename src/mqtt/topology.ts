import { REASON_CODES, REASONS } from '../core/reasons.js';
import { ALERT_TYPES } from '../core/alerts.js';
import type { EstateLayout } from '../estate/layout-schema.js';
import { ALERT_LABELS, MODE_LABELS, REASON_LABELS, VERDICT_LABELS, type Label } from '../core/labels.js';
import type { TopologyBody } from '../contract/state-payloads.js';

/**
 * The retained `…/topology` body, from the config alone: what zigbee2mqtt's
 * `bridge/devices` gives its integrators (issue 16), plus the words for every
 * code, so a dashboard shows 健康码红码 rather than CODE_RED. The words are the
 * page's (src/core/labels.ts), falling back to REASONS where the page has none.
 */
export function describeTopology(config: EstateLayout): TopologyBody {
  const placement = new Map<string, { gate: string; lane: string; slot: string }>();
  for (const gate of config.gates) {
    for (const lane of gate.lanes) {
      for (const [slot, device] of Object.entries(lane.devices)) if (device !== undefined && !placement.has(device)) placement.set(device, { gate: gate.id, lane: lane.id, slot });
    }
  }
  return {
    estate: { id: config.estate.id, name: config.estate.name, timeZone: config.estate.timeZone },
    gates: config.gates.map((gate) => ({
      id: gate.id,
      name: gate.name,
      lanes: gate.lanes.map((lane) => ({
        id: lane.id,
        direction: lane.direction,
        kind: lane.kind,
        temperatureEnforcement: lane.temperatureEnforcement,
        devices: Object.fromEntries(Object.entries(lane.devices).filter((entry): entry is [string, string] => entry[1] !== undefined)),
      })),
    })),
    devices: config.devices.map((device) => {
      const place = placement.get(device.id);
      return {
        id: device.id,
        role: device.role,
        driver: device.driver,
        profile: device.driver === 'profile' ? device.profile : null,
        gate: place?.gate ?? null,
        lane: place?.lane ?? null,
        slot: place?.slot ?? null,
      };
    }),
    reasons: Object.fromEntries(REASON_CODES.map((code) => [code, { text: REASONS[code], ...words(REASON_LABELS[code], REASONS[code]) }])),
    alerts: Object.fromEntries(ALERT_TYPES.map((type) => [type, words(ALERT_LABELS[type], type)])),
    verdicts: { ...VERDICT_LABELS },
    modes: { ...MODE_LABELS },
  };
}

function words(label: Label | undefined, fallback: string): Label {
  return { zh: label?.zh ?? fallback, en: label?.en ?? fallback };
}
