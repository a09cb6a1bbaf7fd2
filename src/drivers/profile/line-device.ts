import type { Transform } from 'node:stream';
import type { Shared } from '../port-registry.js';
import { createFramer, extractValue } from '../serial/create-framer.js';
import type { SerialLink } from '../serial/serial-link.js';
import type { DeviceContext } from './device-context.js';
import type { FramingSpec } from './profile-schema.js';
import { ProfileDevice } from './profile-device.js';

/**
 * A device that owns a serial line and talks in frames: scanners, plate
 * readers, ASCII thermometers and command barriers. It is online while its
 * port is open; a fresh framer after each reconnect drops half-received frames.
 */
export abstract class LineDevice extends ProfileDevice {
  private link: SerialLink | undefined;
  private framer: Transform | undefined;
  protected readonly framing: FramingSpec;
  /** Bytes dropped as noise since start, for health reports and tests. */
  noiseBytes = 0;

  constructor(
    context: DeviceContext,
    private readonly shared: Shared<SerialLink>,
  ) {
    super(context);
    if (!context.profile.framing) throw new Error(`${context.id}: line device without framing`);
    this.framing = context.profile.framing;
    shared.value.onData((chunk) => this.framer?.write(chunk));
    shared.value.onState((state) => {
      if (!this.running) return;
      if (state.up) {
        this.framer = this.newFramer();
        this.health.succeeded();
      } else {
        this.health.linkDown(state.error);
      }
    });
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.framer = this.newFramer();
    this.link = this.shared.acquire();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.framer = undefined;
    this.link = undefined;
    await this.shared.release();
  }

  /** Sends one frame (terminator added by the caller's format); false when the port is closed. */
  protected send(bytes: Buffer): boolean {
    return this.link?.write(bytes) ?? false;
  }

  /** One decoded payload from the device. */
  protected abstract accept(value: string): void;

  private newFramer(): Transform {
    const framer = createFramer(this.framing, (reason, bytes) => {
      this.noiseBytes += bytes;
      this.log.debug({ reason, bytes }, 'line noise dropped');
    });
    framer.on('data', (frame: Buffer) => {
      const value = extractValue(frame, this.framing);
      if (value === undefined) {
        this.noiseBytes += frame.length;
        this.log.debug({ bytes: frame.length }, 'frame does not match the profile');
        return;
      }
      this.accept(value);
    });
    return framer;
  }
}
