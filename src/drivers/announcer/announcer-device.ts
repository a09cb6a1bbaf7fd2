import { GatewardenError } from '../../errors.js';
import type { Announcer } from '../device.js';
import type { Shared } from '../port-registry.js';
import type { DeviceContext } from '../profile/device-context.js';
import type { SerialLink } from '../serial/serial-link.js';
import { AplayAnnouncer } from './announcer-aplay.js';
import { loadClipCatalogue } from './announcer-clips.js';
import { UartAnnouncer } from './announcer-uart.js';

/**
 * The announcer a profile describes: a voice module on its serial port, or a
 * local player. `link` is the port's owner from the registry (serial-line only).
 */
export function createAnnouncer(context: DeviceContext, profilesDir: string, link: Shared<SerialLink> | undefined): Announcer {
  const { profile } = context;
  const spec = profile.announcer;
  if (!spec) throw new GatewardenError('GW_PROFILE_INVALID', `${profile.model}: announcer section is missing`);
  const clips = loadClipCatalogue(profilesDir, spec.catalogue);
  if (link && spec.module) return new UartAnnouncer(context, link, spec.module, clips);
  if (!link && spec.player) return new AplayAnnouncer(context, spec.player, clips);
  throw new GatewardenError('GW_PROFILE_INVALID', `${profile.model}: announcer over ${profile.transport.kind} is not supported`);
}
