import { pino } from 'pino';
import type { DeviceProfile } from '../../src/drivers/profile/profile-schema.js';
import { createFramer, terminatorBytes } from '../../src/drivers/serial/create-framer.js';
import { SerialLink, type SerialOptions } from '../../src/drivers/serial/serial-link.js';
import { pushBounded } from './bounded-log.js';

export type BarrierAnswer = 'ack' | 'nack' | 'silent';

/**
 * The far end of a serial-line device (scanner, plate reader, ASCII
 * thermometer, command barrier), speaking its profile's framing. As a barrier
 * it answers commands as `answer` says and records them.
 */
export class LineSim {
  private readonly link: SerialLink;
  /** Commands received (the last SIM_LOG_LIMIT). */
  readonly commands: string[] = [];
  answer: BarrierAnswer = 'ack';
  /** Hears every command as it arrives, after the answer went out. */
  onCommand: ((command: string) => void) | undefined;

  constructor(
    private readonly profile: DeviceProfile,
    options: SerialOptions,
  ) {
    this.link = new SerialLink(options, pino({ level: 'silent' }));
    const framing = profile.framing;
    if (profile.actions && framing) {
      const framer = createFramer(framing, () => {});
      framer.on('data', (frame: Buffer) => this.command(frame.toString('latin1')));
      this.link.onData((chunk) => framer.write(chunk));
    }
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  start(): void {
    this.link.start();
  }

  stop(): Promise<void> {
    return this.link.stop();
  }

  /** Sends one payload (a code, a plate, a temperature) framed as the profile says. */
  send(value: string): boolean {
    return this.link.write(this.frame(this.profile.simulator.frame.replace('{value}', value)));
  }

  /** Raw bytes on the line: noise, half frames. */
  inject(bytes: Buffer): boolean {
    return this.link.write(bytes);
  }

  /** Reports a passage, unsolicited (command barriers). */
  passage(): boolean {
    return this.profile.simulator.passage !== undefined && this.link.write(this.frame(this.profile.simulator.passage));
  }

  private frame(payload: string): Buffer {
    const framing = this.profile.framing;
    if (!framing || framing.kind === 'regex') return Buffer.from(payload, 'utf8');
    return Buffer.concat([
      Buffer.from(framing.prefix ?? '', 'latin1'),
      Buffer.from(payload, 'utf8'),
      Buffer.from(framing.suffix ?? '', 'latin1'),
      terminatorBytes(framing),
    ]);
  }

  private command(text: string): void {
    pushBounded(this.commands, text);
    const reply = this.answer === 'ack' ? this.profile.simulator.ack : this.answer === 'nack' ? this.profile.simulator.nack : undefined;
    if (reply !== undefined) this.link.write(this.frame(reply));
    this.onCommand?.(text);
  }
}
