import { Code, GatewardenError } from '../../errors.js';
import type { Announcer } from '../device.js';
import type { Shared } from '../port-registry.js';
import type { DeviceContext } from '../profile/device-context.js';
import type { ModuleSpec } from '../profile/announcer-schema.js';
import { ProfileDevice } from '../profile/profile-device.js';
import type { SerialLink } from '../serial/serial-link.js';
import type { Clip, ClipCatalogue } from './announcer-clips.js';
import { DFPLAYER_REPLIES, ModuleFrameReader, playFrame, volumeFrame, type ModuleFrame } from './announcer-frames.js';

/**
 * A UART voice module playing numbered clips from its own storage. It owns
 * its serial port; a new clip is sent at once and the module cuts the one
 * playing short, so the latest announcement always wins. The module is online
 * while its port is open; an error frame it reports makes it degraded.
 */
export class UartAnnouncer extends ProfileDevice implements Announcer {
  readonly role = 'announcer' as const;
  private link: SerialLink | undefined;
  private readonly reader: ModuleFrameReader;
  /** Bytes from the module that were no frame of its protocol, since start. */
  noiseBytes = 0;
  /** Frames the module sent (events, errors), since start. */
  readonly received: ModuleFrame[] = [];

  constructor(
    context: DeviceContext,
    private readonly shared: Shared<SerialLink>,
    private readonly module: ModuleSpec,
    readonly clips: ClipCatalogue,
  ) {
    super(context);
    this.reader = new ModuleFrameReader(module.protocol, (frame) => this.accept(frame), (bytes) => this.discard(bytes));
    shared.value.onData((chunk) => {
      if (this.running) this.reader.push(chunk);
    });
    shared.value.onState((state) => {
      if (!this.running) return;
      this.reader.reset();
      if (!state.up) {
        this.health.linkDown(state.error);
        return;
      }
      this.health.succeeded();
      if (module.volume !== undefined) this.send(volumeFrame(module, module.volume));
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.link = this.shared.acquire();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.link = undefined;
    await this.shared.release();
  }

  play(clip: Clip): void {
    if (!this.running) return;
    if (!this.send(playFrame(this.module, clip.number))) {
      this.log.warn({ clip: clip.number, code: Code.GW_DEVICE_IO }, 'announcement not sent: port is closed');
      return;
    }
    this.log.info({ clip: clip.number, text: clip.text }, 'announce');
  }

  private send(bytes: Buffer): boolean {
    return this.link?.write(bytes) ?? false;
  }

  private accept(frame: ModuleFrame): void {
    if (this.received.length >= 100) this.received.shift();
    this.received.push(frame);
    if (this.module.protocol === 'dfplayer' && frame.command === DFPLAYER_REPLIES.error) {
      // Manual §3.4: 0x40 reports a busy module, a missing card or a checksum it did not accept.
      this.health.failed(new GatewardenError('GW_DEVICE_PROTOCOL', `${this.id}: module reports error ${frame.param}`));
      this.log.warn({ error: frame.param, code: Code.GW_DEVICE_PROTOCOL }, 'voice module reports an error');
      return;
    }
    this.health.succeeded();
    this.log.debug({ command: frame.command, param: frame.param }, 'voice module event');
  }

  private discard(bytes: number): void {
    this.noiseBytes += bytes;
    this.log.debug({ bytes }, 'voice module noise dropped');
  }
}
