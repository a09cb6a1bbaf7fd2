import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ProfileDeviceSettings } from '../profile-device-settings.js';
import { validateProfile } from './load-profile.js';

/**
 * Config cross-check for one profile device, at load time so that every
 * mistake is reported with its key path before anything opens a port: the
 * profile exists and is valid, it has the configured role, and the device says
 * where it is wired (a port for serial transports, a host for Modbus TCP).
 */
export function checkDeviceSettings(settings: ProfileDeviceSettings, at: string, profilesDir: string): string[] {
  const file = join(profilesDir, `${settings.profile}.yaml`);
  let data: unknown;
  try {
    data = parse(readFileSync(file, 'utf8'));
  } catch {
    return [`${at}.profile: expected the name of a profile in ${profilesDir}, "${settings.profile}" does not exist`];
  }
  let kind: string;
  try {
    const profile = validateProfile(data, settings.profile, file);
    if (profile.role !== settings.role) return [`${at}.role: expected ${profile.role} (the role of profile ${settings.profile}), got ${settings.role}`];
    kind = profile.transport.kind;
  } catch (error) {
    return [`${at}.profile: profile ${settings.profile} is invalid: ${(error as Error).message}`];
  }
  const errors: string[] = [];
  // A local device (an announcer playing through the sound card) has no wire to name.
  if (kind === 'local') return (['port', 'host'] as const).filter((key) => settings[key] !== undefined).map((key) => `${at}.${key}: not used by profile ${settings.profile} (local)`);
  const needs = kind === 'modbus-tcp' ? 'host' : 'port';
  const other = needs === 'host' ? 'port' : 'host';
  if (settings[needs] === undefined) errors.push(`${at}.${needs}: required key is missing (profile ${settings.profile} is ${kind})`);
  if (settings[other] !== undefined) errors.push(`${at}.${other}: not used by profile ${settings.profile} (${kind})`);
  if (kind === 'serial-line' && settings.unitId !== undefined) errors.push(`${at}.unitId: not used by profile ${settings.profile} (serial-line)`);
  return errors;
}
