import { loadClipCatalogue } from '../drivers/announcer/announcer-clips.js';
import { renderClips } from '../drivers/announcer/announcer-render.js';
import { SHIPPED_PROFILES_DIR } from '../drivers/profile/profiles-dir.js';
import { GatewardenError } from '../errors.js';

/**
 * `gatewarden render-clips [DIR]`: the announcer's clips as WAV files for
 * local playback (devices/voice-aplay-local.yaml), spoken by espeak-ng from a
 * shipped catalogue (devices/clips/). Needs espeak-ng (apt-get install espeak-ng).
 */
export async function runRenderClips(dir: string, options: { catalogue: string; voice?: string | undefined }): Promise<string> {
  const catalogue = loadClipCatalogue(SHIPPED_PROFILES_DIR, options.catalogue);
  try {
    const files = await renderClips(catalogue, dir, options.voice === undefined ? {} : { voice: options.voice });
    return `${files.length} clips rendered into ${dir}`;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new GatewardenError('GW_COMMAND_INVALID', missing ? 'espeak-ng is not installed (apt-get install espeak-ng)' : `render-clips: ${(error as Error).message}`);
  }
}
