import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { GatewardenError } from '../../errors.js';
import { checkProfile } from './check-profile.js';
import { profileValidator, type DeviceProfile } from './profile-schema.js';

const PROFILE_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * Reads `<profilesDir>/<name>.yaml`, validates it (schema, then cross-checks)
 * and returns it frozen. Any problem is a start-up failure, thrown as
 * GW_PROFILE_INVALID with one `key.path: …` line per error.
 */
export async function loadProfile(profilesDir: string, name: string): Promise<DeviceProfile> {
  if (!PROFILE_NAME.test(name)) throw new GatewardenError('GW_PROFILE_INVALID', `profile name ${JSON.stringify(name)} is not a file name`);
  const file = join(profilesDir, `${name}.yaml`);
  let data: unknown;
  try {
    data = parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new GatewardenError('GW_PROFILE_INVALID', `cannot read profile ${file}: ${(error as Error).message}`);
  }
  return validateProfile(data, name, file);
}

export function validateProfile(data: unknown, name: string, source: string): DeviceProfile {
  const schemaErrors = profileValidator.check(data);
  const errors = schemaErrors.length > 0 ? schemaErrors : checkProfile(data as DeviceProfile);
  if (errors.length === 0 && (data as DeviceProfile).model !== name) errors.push(`model: expected ${JSON.stringify(name)} (the file name)`);
  if (errors.length > 0) throw new GatewardenError('GW_PROFILE_INVALID', `${source}: ${errors.join('; ')}`, errors);
  return deepFreeze(data as DeviceProfile);
}

/** Names of all profiles in a directory (the catalogue). */
export async function listProfiles(profilesDir: string): Promise<string[]> {
  const files = await readdir(profilesDir);
  return files.filter((file) => file.endsWith('.yaml')).map((file) => file.slice(0, -'.yaml'.length)).sort();
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
