/**
 * Renders the announcer's clips for local playback (devices/voice-aplay-local.yaml):
 *   npx tsx scripts/render-clips.ts [dir] [catalogue]
 * dir defaults to ./data/clips, catalogue to announcer-clips (devices/clips/).
 * Needs espeak-ng (apt-get install espeak-ng).
 */
import { loadClipCatalogue } from '../src/drivers/announcer/announcer-clips.js';
import { renderClips } from '../src/drivers/announcer/announcer-render.js';
import { SHIPPED_PROFILES_DIR } from '../src/drivers/profile/profiles-dir.js';

const [dir = './data/clips', name = 'announcer-clips'] = process.argv.slice(2);
const files = await renderClips(loadClipCatalogue(SHIPPED_PROFILES_DIR, name), dir);
process.stdout.write(`${files.length} clips rendered into ${dir}\n`);
