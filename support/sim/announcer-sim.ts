import { pino } from 'pino';
import { COMMANDS, encodeFrame, ModuleFrameReader, type ModuleFrame, type ModuleProtocol } from '../../src/drivers/announcer/announcer-frames.js';
import type { ModuleSpec } from '../../src/drivers/profile/announcer-schema.js';
import { SerialLink, type SerialOptions } from '../../src/drivers/serial/serial-link.js';
import { pushBounded } from './bounded-log.js';

/**
 * The far end of a UART voice module (DFPlayer Mini or JQ8900 command set):
 * decodes the gateway's frames and records the clip numbers it was told to
 * play, the raw frames byte for byte, and the bytes that were no frame.
 * It can also talk back: module events, and garbage.
 */
export class AnnouncerSim {
  private readonly link: SerialLink;
  /** Clip numbers played, in order (the last SIM_LOG_LIMIT). */
  readonly clips: number[] = [];
  readonly volumes: number[] = [];
  /** Every byte received, for byte-exact checks (the last SIM_LOG_LIMIT chunks). */
  readonly raw: Buffer[] = [];
  /** Bytes that were no valid frame of the protocol. */
  badBytes = 0;
  onClip: ((clip: number) => void) | undefined;

  constructor(
    private readonly module: Pick<ModuleSpec, 'protocol' | 'checksum'>,
    options: SerialOptions,
  ) {
    this.link = new SerialLink(options, pino({ level: 'silent' }));
    const reader = new ModuleFrameReader(module.protocol, (frame) => this.frame(frame), (bytes) => (this.badBytes += bytes));
    this.link.onData((chunk) => {
      pushBounded(this.raw, chunk);
      reader.push(chunk);
    });
  }

  get protocol(): ModuleProtocol {
    return this.module.protocol;
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  /** All bytes received so far, concatenated. */
  received(): Buffer {
    return Buffer.concat(this.raw);
  }

  start(): void {
    this.link.start();
  }

  stop(): Promise<void> {
    return this.link.stop();
  }

  /** A frame from the module (an event such as DFPlayer 0x3D "finished", or 0x40 "error"), always checksummed. */
  reply(command: number, param: number): boolean {
    return this.link.write(encodeFrame({ ...this.module, checksum: true }, command, param));
  }

  /** Raw bytes on the line: noise, half frames. */
  inject(bytes: Buffer): boolean {
    return this.link.write(bytes);
  }

  private frame(frame: ModuleFrame): void {
    const commands = COMMANDS[this.module.protocol];
    if (frame.command === commands.play) {
      pushBounded(this.clips, frame.param);
      this.onClip?.(frame.param);
    } else if (frame.command === commands.volume) {
      pushBounded(this.volumes, frame.param);
    }
  }
}
