import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { GatewardenError } from '../errors.js';
import { createAnnouncer } from './announcer/announcer-device.js';
import type { AnyDevice } from './device.js';
import type { ModbusBus, UnitTiming } from './modbus/modbus-bus.js';
import type { PortRegistry, Shared } from './port-registry.js';
import type { DeviceContext } from './profile/device-context.js';
import { LinePlateReader, LineScanner, LineThermometer } from './profile/line-readers.js';
import { loadProfile } from './profile/load-profile.js';
import { ModbusBarrier } from './profile/modbus-barrier.js';
import { ModbusIndicator } from './profile/modbus-indicator.js';
import { ModbusThermometer } from './profile/modbus-thermometer.js';
import type { DeviceProfile } from './profile/profile-schema.js';
import { SerialBarrier } from './profile/serial-barrier.js';
import type { ProfileDeviceSettings } from './profile-device-settings.js';
import type { SerialOptions } from './serial/serial-link.js';

export interface ProfileDeviceDeps {
  log: Logger;
  clock: Clock;
  /** Directory of the device profiles, normally `devices/`. */
  profilesDir: string;
  /** One per gateway (`createPortRegistry`): devices on one port share its owner. */
  ports: PortRegistry;
}

/**
 * Builds a device from its profile and its per-device settings; no code per
 * model. Throws GW_PROFILE_INVALID or GW_CONFIG_INVALID (start-up failures).
 * The device is not started: the caller starts it and stops it.
 */
export async function createProfileDevice(settings: ProfileDeviceSettings, deps: ProfileDeviceDeps): Promise<AnyDevice> {
  const profile = await loadProfile(deps.profilesDir, settings.profile);
  if (profile.role !== settings.role) {
    throw new GatewardenError('GW_CONFIG_INVALID', `${settings.id}: profile ${profile.model} is a ${profile.role}, not a ${settings.role}`);
  }
  const context: DeviceContext = {
    id: settings.id,
    profile,
    timing: { ...profile.timing, pollMs: settings.pollMs ?? profile.timing.pollMs, timeoutMs: settings.timeoutMs ?? profile.timing.timeoutMs },
    calibrationOffset: settings.calibrationOffset ?? 0,
    clock: deps.clock,
    log: deps.log.child({ module: 'device', device: settings.id, model: profile.model }),
  };
  if (profile.role === 'announcer') {
    const link = profile.transport.kind === 'serial-line' ? deps.ports.serialLine(serialOptions(settings, profile), settings.id) : undefined;
    return createAnnouncer(context, deps.profilesDir, link);
  }
  if (profile.transport.kind === 'local') throw unsupported(profile);
  if (profile.transport.kind === 'serial-line') return lineDevice(context, deps.ports.serialLine(serialOptions(settings, profile), settings.id));
  const bus =
    profile.transport.kind === 'modbus-rtu'
      ? deps.ports.modbusRtu(serialOptions(settings, profile), settings.id)
      : deps.ports.modbusTcp(required(settings, 'host'), settings.tcpPort ?? profile.transport.tcpPort);
  const unit: UnitTiming = {
    unitId: settings.unitId ?? profile.transport.unitId,
    timeoutMs: context.timing.timeoutMs,
    lateReplyGuardMs: context.timing.lateReplyGuardMs,
  };
  return modbusDevice(context, bus, unit);
}

function lineDevice(context: DeviceContext, link: ReturnType<PortRegistry['serialLine']>): AnyDevice {
  const { profile } = context;
  switch (profile.role) {
    case 'scanner':
      return new LineScanner(context, link);
    case 'plate-reader':
      return new LinePlateReader(context, link);
    case 'thermometer':
      return new LineThermometer(context, link);
    case 'barrier':
      if (profile.actions) return new SerialBarrier(context, link, profile.actions);
  }
  throw unsupported(profile);
}

function modbusDevice(context: DeviceContext, bus: Shared<ModbusBus>, unit: UnitTiming): AnyDevice {
  const { profile } = context;
  switch (profile.role) {
    case 'thermometer':
      return new ModbusThermometer(context, bus, unit);
    case 'barrier':
      if (profile.relay) return new ModbusBarrier(context, bus, unit, profile.relay);
      break;
    case 'indicator':
      if (profile.indicator) return new ModbusIndicator(context, bus, unit, profile.indicator);
  }
  throw unsupported(profile);
}

function serialOptions(settings: ProfileDeviceSettings, profile: DeviceProfile): SerialOptions {
  const { baudRate, dataBits, parity, stopBits } = profile.transport;
  return { path: required(settings, 'port'), baudRate: settings.baudRate ?? baudRate, dataBits, parity, stopBits };
}

function required(settings: ProfileDeviceSettings, key: 'port' | 'host'): string {
  const value = settings[key];
  if (value === undefined) throw new GatewardenError('GW_CONFIG_INVALID', `${settings.id}.${key}: required key is missing for profile ${settings.profile}`);
  return value;
}

function unsupported(profile: DeviceProfile): GatewardenError {
  return new GatewardenError('GW_PROFILE_INVALID', `${profile.model}: ${profile.role} over ${profile.transport.kind} is not supported`);
}
