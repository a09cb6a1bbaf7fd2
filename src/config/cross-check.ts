import { checkDeviceSettings } from '../drivers/profile/check-device-settings.js';
import { SHIPPED_PROFILES_DIR } from '../drivers/profile/profiles-dir.js';
import { rosterDuplicates } from '../core/roster-duplicates.js';
import { listenerPortClashes } from './listener-ports.js';
import type { Config } from './schema.js';
import { checkWiring } from './wiring-check.js';
import { isKnownTimeZone } from '../schema/time-zone.js';

/**
 * Checks that span keys, which a JSON Schema cannot express: device
 * references, roles and unique ids. Errors use the same `key.path: expected …` form.
 */
export function crossCheck(config: Config): string[] {
  const errors: string[] = [];
  // Checked here, not first when the page is built: by then start had opened the database and the ports.
  if (!isKnownTimeZone(config.estate.timeZone)) errors.push(`estate.timeZone: expected an IANA time zone such as Asia/Shanghai, "${config.estate.timeZone}" is not one the runtime knows`);
  const roles = new Map<string, string>();
  config.devices.forEach((device, i) => {
    if (roles.has(device.id)) errors.push(`devices[${i}].id: expected a unique id, "${device.id}" is used twice`);
    roles.set(device.id, device.role);
    if (device.driver === 'profile') errors.push(...checkDeviceSettings(device, `devices[${i}]`, SHIPPED_PROFILES_DIR));
  });
  // Shared ports and Modbus units: refused here, before start opens the database or any port (issue 11, observation 5).
  errors.push(...checkWiring(config.devices, SHIPPED_PROFILES_DIR));
  const used = new Map<string, string>();
  const gateIds = new Set<string>();
  config.gates.forEach((gate, g) => {
    if (gateIds.has(gate.id)) errors.push(`gates[${g}].id: expected a unique id, "${gate.id}" is used twice`);
    gateIds.add(gate.id);
    const laneIds = new Set<string>();
    gate.lanes.forEach((lane, l) => {
      const at = `gates[${g}].lanes[${l}]`;
      if (laneIds.has(lane.id)) errors.push(`${at}.id: expected a unique id within the gate, "${lane.id}" is used twice`);
      laneIds.add(lane.id);
      const expected: Record<string, string> = { scanner: 'scanner', exitScanner: 'scanner', codeScanner: 'scanner', thermometer: 'thermometer', barrier: 'barrier', indicator: 'indicator', announcer: 'announcer' };
      for (const [slot, ref] of Object.entries(lane.devices)) {
        if (ref === undefined) continue;
        const role = roles.get(ref);
        if (role === undefined) errors.push(`${at}.devices.${slot}: expected the id of a device in devices, "${ref}" is not defined`);
        // A vehicle lane may decide on plates: its plate reader sits in the scanner slot.
        else if (role !== expected[slot] && !(lane.kind === 'vehicle' && slot === 'scanner' && role === 'plate-reader')) {
          errors.push(`${at}.devices.${slot}: expected a device with role ${expected[slot]}, "${ref}" is a ${role}`);
        }
        const owner = used.get(ref);
        if (owner !== undefined) errors.push(`${at}.devices.${slot}: expected a device not used elsewhere, "${ref}" is already used by ${owner}`);
        used.set(ref, `${at}.devices.${slot}`);
      }
      if (lane.direction === 'both' && lane.devices.exitScanner === undefined) {
        errors.push(`${at}.devices.exitScanner: required when direction is "both" (one scanner on each side)`);
      }
      // Estate plan, rule 1: temperature is checked on the way in. On a vehicle lane without a thermometer at the
      // window, the lane refers every vehicle to the guard, who screens the occupants (docs/rules.md).
      if (lane.direction !== 'out' && lane.kind !== 'vehicle' && lane.devices.thermometer === undefined) {
        errors.push(`${at}.devices.thermometer: required when direction is "${lane.direction}" (temperature is checked on entry)`);
      }
    });
  });
  if (config.policy.plausibleMinC >= config.policy.feverThresholdC) {
    errors.push(`policy.plausibleMinC: expected a value below policy.feverThresholdC (${config.policy.feverThresholdC})`);
  }
  return errors;
}

/**
 * Checks that read whole sections (the roster, the listeners): run only on a
 * config the schema accepted, as a partial view has no such sections to read.
 */
export function sectionChecks(config: Config): string[] {
  return [...rosterDuplicates(config.roster, 'roster'), ...listenerPortClashes(config)];
}
