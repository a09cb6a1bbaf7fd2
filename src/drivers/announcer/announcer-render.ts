import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { clipFile } from './announcer-aplay.js';
import type { ClipCatalogue } from './announcer-clips.js';

const run = promisify(execFile);

/**
 * Renders every clip of a catalogue to `<dir>/<NNNN>.wav` with espeak-ng
 * (Debian package espeak-ng: `espeak-ng -v zh -w out.wav "…"`), one at a time.
 * The same files, converted to MP3, go on a DFPlayer's card under /mp3/.
 */
export async function renderClips(catalogue: ClipCatalogue, dir: string, options: { voice?: string; command?: string } = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const voice = options.voice ?? catalogue.language.slice(0, 2).toLowerCase();
  const written: string[] = [];
  for (const [number, text] of Object.entries(catalogue.clips)) {
    const file = clipFile(dir, Number(number));
    await run(options.command ?? 'espeak-ng', ['-v', voice, '-w', file, text], { timeout: 30_000 });
    written.push(file);
  }
  return written;
}
