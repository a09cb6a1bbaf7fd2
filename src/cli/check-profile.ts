import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { formatLocated, formatYamlError, locateErrors } from '../schema/locate-errors.js';
import { validateProfile } from '../drivers/profile/load-profile.js';
import { ProfileSchema, type DeviceProfile } from '../drivers/profile/profile-schema.js';
import { extractValue } from '../drivers/serial/create-framer.js';
import { GatewardenError } from '../errors.js';
import { checkEach } from './check-config.js';
import type { Io } from './io.js';

/**
 * `gatewarden check-profile FILE…`: the check a new device model passes
 * before it goes into devices/ (docs/devices.md, "Adding a model"), from an
 * installed package: the profile schema and its cross-checks (the same
 * validateProfile as at start), `model` equal to the file name, and the
 * simulator's examples accepted by the profile's own patterns. Every file is
 * checked; exit 1 when any is invalid.
 */
export function runCheckProfile(files: readonly string[], io: Io): number {
  return checkEach(files, 'profiles', (file) => {
    const profile = checkProfileFile(file);
    return `${file}: ok (${profile.role} over ${profile.transport.kind})`;
  }, io);
}

function checkProfileFile(file: string): DeviceProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new GatewardenError('GW_PROFILE_INVALID', `cannot read profile ${file}: ${(error as Error).message}`);
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: true, lineCounter: lines });
  if (document.errors.length > 0) {
    throw new GatewardenError('GW_PROFILE_INVALID', `${file} is not valid YAML`, document.errors.map((error) => formatYamlError(error, file)));
  }
  let profile: DeviceProfile;
  try {
    profile = validateProfile(document.toJS(), basename(file, extname(file)), file);
  } catch (error) {
    if (!(error instanceof GatewardenError)) throw error;
    const located = locateErrors(document, lines, error.details, { schema: ProfileSchema });
    throw new GatewardenError('GW_PROFILE_INVALID', `${file} is invalid (${located.length} error${located.length === 1 ? '' : 's'})`, located.map((e) => formatLocated(e, file)));
  }
  const examples = simulatorMismatches(profile);
  if (examples.length > 0) throw new GatewardenError('GW_PROFILE_INVALID', `${file}: the simulator examples do not match the profile`, examples);
  return profile;
}

/** The simulator's frames must be what the profile itself would read: otherwise the simulator proves nothing. */
function simulatorMismatches(profile: DeviceProfile): string[] {
  const framing = profile.framing;
  if (!framing) return [];
  const errors: string[] = [];
  const frame = profile.simulator.frame.replace('{value}', '36.5');
  if (framing.kind === 'regex' && extractValue(Buffer.from(frame), framing) !== '36.5') {
    errors.push(`simulator.frame: expected framing.pattern to read {value} from ${JSON.stringify(frame)}`);
  }
  for (const key of ['ack', 'nack', 'passage'] as const) {
    const pattern = profile.actions?.[key];
    if (pattern !== undefined && !new RegExp(pattern).test(profile.simulator[key] ?? '')) {
      errors.push(`simulator.${key}: expected a frame that actions.${key} (${pattern}) matches, got ${JSON.stringify(profile.simulator[key] ?? '')}`);
    }
  }
  return errors;
}
