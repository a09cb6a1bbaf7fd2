import type { Logger } from 'pino';
import type { Clock } from '../../core/clock.js';
import type { Clip, ClipCatalogue } from '../announcer/announcer-clips.js';
import type { Announcer } from '../device.js';
import { VirtualDevice } from './virtual-device.js';

/** Says nothing aloud: logs each announcement and keeps the last ones, so the demo "speaks" in its log. */
export class VirtualAnnouncer extends VirtualDevice implements Announcer {
  readonly role = 'announcer' as const;
  /** The last 100 clips, oldest first. */
  readonly said: Clip[] = [];

  constructor(
    id: string,
    clock: Clock,
    readonly clips: ClipCatalogue,
    private readonly log: Logger,
  ) {
    super(id, clock);
  }

  play(clip: Clip): void {
    if (!this.online) return;
    if (this.said.length >= 100) this.said.shift();
    this.said.push(clip);
    this.log.info({ device: this.id, clip: clip.number, text: clip.text }, 'announce');
  }
}
