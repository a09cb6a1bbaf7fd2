import { readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { validateProfile } from '../drivers/profile/load-profile.js';
import type { DeviceProfile } from '../drivers/profile/profile-schema.js';
import type { ProfileDeviceSettings } from '../drivers/profile-device-settings.js';
import { describeRange, modbusFootprint, overlaps, type Footprint } from './modbus-footprint.js';
import type { DeviceConfig } from './schema.js';

/** A profile device and the profile it runs, with its place in `devices` for the messages. */
interface Wired {
  /** `devices[3] (north-lights)`: the key path and the id, so the operator finds the entry either way. */
  label: string;
  settings: ProfileDeviceSettings;
  profile: DeviceProfile;
}

const SERIAL_KEYS = ['baudRate', 'parity', 'dataBits', 'stopBits'] as const;

/**
 * How the devices share their wires, checked before any port opens: devices
 * on one serial port agree on the line settings, a serial-line device has its
 * port alone, and devices on one Modbus unit (one port or one TCP server, one
 * unit id) touch disjoint coils and registers. The drivers resolve ports and
 * units the same way (create-profile-device.ts). A device whose profile is
 * missing or invalid, or which lacks its port or host, is left to
 * checkDeviceSettings, which reports it.
 */
export function checkWiring(devices: readonly DeviceConfig[], profilesDir: string): string[] {
  const wired = devices.flatMap((device, i): Wired[] => {
    if (device.driver !== 'profile') return [];
    const profile = readProfile(profilesDir, device.profile);
    if (profile?.role !== device.role) return [];
    const wire = profile.transport.kind === 'modbus-tcp' ? device.host : device.port;
    return wire === undefined ? [] : [{ label: `devices[${i}] (${device.id})`, settings: device, profile }];
  });
  return [...checkPorts(wired), ...checkUnits(wired)];
}

function checkPorts(wired: Wired[]): string[] {
  const serial = wired.filter((device) => device.profile.transport.kind !== 'modbus-tcp');
  return [...groupBy(serial, (device) => canonicalPort(device.settings.port ?? ''))].flatMap(([port, [first, ...others]]) =>
    others.flatMap((device) => (first ? portConflicts(port, first, device) : [])),
  );
}

function portConflicts(port: string, first: Wired, device: Wired): string[] {
  const lineDevice = [first, device].find((d) => d.profile.transport.kind === 'serial-line');
  if (lineDevice) {
    // A serial-line device reads a byte stream of its own: anything else on the wire is noise to its framer.
    return [`${device.label}.port: expected a port of its own, ${port} is also used by ${first.label} (${lineDevice.label} is a serial-line device, which owns its port alone)`];
  }
  const theirs = serialSettings(first);
  const mine = serialSettings(device);
  return SERIAL_KEYS.filter((key) => theirs[key] !== mine[key]).map((key) => {
    // Only the baud rate can be set per device; the framing comes with the profile.
    const where = key === 'baudRate' ? 'baudRate' : 'profile';
    const origin = key === 'baudRate' && device.settings.baudRate !== undefined ? '' : ` (from profile ${device.settings.profile})`;
    return `${device.label}.${where}: expected ${key} ${String(theirs[key])} like ${first.label} on port ${port} (one port runs one set of serial settings), got ${String(mine[key])}${origin}`;
  });
}

function serialSettings({ settings, profile }: Wired): Record<(typeof SERIAL_KEYS)[number], string | number> {
  const { baudRate, parity, dataBits, stopBits } = profile.transport;
  return { baudRate: settings.baudRate ?? baudRate, parity, dataBits, stopBits };
}

function checkUnits(wired: Wired[]): string[] {
  const modbus = wired.filter((device) => device.profile.transport.kind !== 'serial-line');
  return [...groupBy(modbus, unitOf)].flatMap(([unit, devices]) =>
    devices.flatMap((device, j) => devices.slice(0, j).flatMap((earlier) => unitConflicts(unit, earlier, device))),
  );
}

/** `unit 3 on /dev/ttyUSB0`, `unit 1 on 10.0.0.5:502`: one Modbus unit, the key devices are grouped by. */
function unitOf({ settings, profile }: Wired): string {
  const { transport } = profile;
  const bus = transport.kind === 'modbus-tcp' ? `${canonicalHost(settings.host ?? '')}:${settings.tcpPort ?? transport.tcpPort}` : canonicalPort(settings.port ?? '');
  return `unit ${settings.unitId ?? transport.unitId} on ${bus}`;
}

function unitConflicts(unit: string, earlier: Wired, device: Wired): string[] {
  const errors: string[] = [];
  const shared: string[] = [];
  const mine = modbusFootprint(device.profile);
  for (const theirs of modbusFootprint(earlier.profile)) {
    for (const range of mine.filter((candidate) => overlaps(candidate, theirs))) {
      const light = releasedByLight(range, theirs, device, earlier) ?? releasedByLight(theirs, range, earlier, device);
      if (light) errors.push(light);
      else shared.push(`${describeRange(range)} (${range.source}) overlaps ${describeRange(theirs)} (${theirs.source})`);
    }
  }
  if (shared.length > 0) errors.push(`${device.label}.unitId: expected coils and registers apart from ${earlier.label}, which is also ${unit}: ${shared.join('; ')}`);
  return errors;
}

/** The observed failure: an indicator output wired to a barrier's release coil opens the barrier with the light. */
function releasedByLight(output: Footprint, release: Footprint, indicator: Wired, barrier: Wired): string | undefined {
  if (output.use?.kind !== 'output' || release.use?.kind !== 'release') return undefined;
  const name = output.use.name;
  const signals = Object.entries(indicator.profile.indicator?.signals ?? {}).filter(([, outputs]) => outputs.includes(name));
  const opens = signals.length > 0 ? `: a ${signals.map(([signal]) => signal).join(' or ')} signal would open the barrier` : '';
  return `${indicator.label}.unitId: expected an indicator apart from the barrier's release coil, output "${name}" is ${describeRange(output)} of ${unitOf(barrier)}, the release coil of ${barrier.label}${opens}`;
}

/**
 * One wire under any spelling (found from outside: /tmp//bus1, /tmp/./bus1 and a symlink passed as three ports):
 * the path the link resolves to, or the normalised path when the port is not plugged in yet.
 */
function canonicalPort(port: string): string {
  if (port === '') return port;
  try {
    return realpathSync(port);
  } catch {
    return resolve(port);
  }
}

/** `localhost` and `127.0.0.1` are one Modbus TCP server. */
function canonicalHost(host: string): string {
  return host.toLowerCase() === 'localhost' ? '127.0.0.1' : host.toLowerCase();
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

function readProfile(profilesDir: string, name: string): DeviceProfile | undefined {
  const file = join(profilesDir, `${name}.yaml`);
  try {
    return validateProfile(parse(readFileSync(file, 'utf8')), name, file);
  } catch {
    return undefined;
  }
}
