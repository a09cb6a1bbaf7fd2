import { registerCount } from '../drivers/modbus/register-codec.js';
import type { DeviceProfile } from '../drivers/profile/profile-schema.js';

/** The four Modbus data tables (Application Protocol V1.1b3 §4.3); an address means nothing outside its table. */
export type ModbusTable = 'coil' | 'discrete input' | 'input register' | 'holding register';

/** One range of one table that a device reads or writes on its unit. */
export interface Footprint {
  table: ModbusTable;
  start: number;
  count: number;
  /** Where the range comes from in the profile, e.g. `relay.releaseCoil`. */
  source: string;
  /** A barrier's release coil, or a named indicator output: the pair the config check words apart. */
  use?: { kind: 'release' } | { kind: 'output'; name: string };
}

/**
 * Every coil, input and register a Modbus profile touches. Two devices on one
 * unit must not share any of them: a light switched on one would be a
 * barrier's release contact on the other.
 */
export function modbusFootprint(profile: DeviceProfile): Footprint[] {
  const footprint: Footprint[] = [];
  const { reading, trigger, relay, indicator } = profile;
  if (reading) {
    footprint.push({ table: reading.function === 'holding' ? 'holding register' : 'input register', start: reading.address, count: registerCount(reading.type), source: 'reading' });
  }
  if (trigger?.write) {
    footprint.push({ table: trigger.write.function === 'coil' ? 'coil' : 'holding register', start: trigger.write.address, count: 1, source: 'trigger.write' });
  }
  if (relay) {
    footprint.push({ table: 'coil', start: relay.releaseCoil, count: 1, source: 'relay.releaseCoil', use: { kind: 'release' } });
    if (relay.passageInput !== undefined) footprint.push({ table: 'discrete input', start: relay.passageInput, count: 1, source: 'relay.passageInput' });
  }
  for (const [name, output] of Object.entries(indicator?.outputs ?? {})) {
    footprint.push({ table: 'coil', start: output.coil, count: 1, source: `indicator.outputs.${name}`, use: { kind: 'output', name } });
  }
  return footprint;
}

export function overlaps(a: Footprint, b: Footprint): boolean {
  return a.table === b.table && a.start < b.start + b.count && b.start < a.start + a.count;
}

/** `coil 0`, `holding registers 16-17`. */
export function describeRange(range: Footprint): string {
  return range.count === 1 ? `${range.table} ${range.start}` : `${range.table}s ${range.start}-${range.start + range.count - 1}`;
}
