import { pino } from 'pino';
import { hasValidCrc, withCrc } from '../../src/drivers/modbus/crc16.js';
import { SerialLink, type SerialOptions } from '../../src/drivers/serial/serial-link.js';
import { RegisterBank } from './register-bank.js';
import { healthyFaults, type UnitFaults } from './unit-faults.js';

/** Longest RTU frame (Serial Line V1.02 §2.5.1): more pending bytes cannot be one request. */
const MAX_FRAME = 256;

export interface SimUnit {
  bank: RegisterBank;
  faults: UnitFaults;
}

/**
 * The slave side of an RS-485 bus on the simulator's end of a pty: several
 * units, each with its own registers and faults. Requests are cut by their
 * function's length and checked by CRC; a byte that does not start a valid
 * request is skipped, so the parser resynchronises after noise.
 */
export class RtuSlaveBus {
  private readonly units = new Map<number, SimUnit>();
  private readonly link: SerialLink;
  private pending = Buffer.alloc(0);
  private readonly timers = new Set<NodeJS.Timeout>();
  requests = 0;

  constructor(options: SerialOptions) {
    this.link = new SerialLink(options, pino({ level: 'silent' }));
    this.link.onData((chunk) => this.receive(chunk));
  }

  unit(unitId: number): SimUnit {
    let unit = this.units.get(unitId);
    if (!unit) {
      unit = { bank: new RegisterBank(), faults: healthyFaults() };
      this.units.set(unitId, unit);
    }
    return unit;
  }

  get isOpen(): boolean {
    return this.link.isOpen;
  }

  start(): void {
    this.link.start();
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await this.link.stop();
  }

  /** Puts raw bytes on the line (a noise burst, a stray frame). */
  inject(bytes: Buffer): void {
    this.link.write(bytes);
  }

  private receive(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    // Bounded: each pass consumes a request or drops at least one byte, or stops.
    while (this.pending.length >= 8) {
      const length = requestLength(this.pending);
      if (length > this.pending.length && length <= MAX_FRAME) return;
      const frame = this.pending.subarray(0, length);
      if (length > MAX_FRAME || !hasValidCrc(frame)) {
        this.pending = this.pending.subarray(1);
        continue;
      }
      this.pending = this.pending.subarray(length);
      this.answer(Buffer.from(frame));
    }
  }

  private answer(request: Buffer): void {
    this.requests += 1;
    const unit = this.units.get(request[0]!);
    if (!unit || unit.faults.silent) return;
    const reply = withCrc(Buffer.concat([request.subarray(0, 1), unit.bank.handle(request.subarray(1, -2))]));
    if (unit.faults.crcErrors > 0) {
      unit.faults.crcErrors -= 1;
      reply[reply.length - 1]! ^= 0xff;
    }
    if (unit.faults.delayMs <= 0) {
      this.link.write(reply);
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.link.write(reply);
    }, unit.faults.delayMs);
    this.timers.add(timer);
  }
}

/** Request length by function code (Application Protocol §6): 8 bytes, or 9 + byte count for 15 and 16. */
function requestLength(buffer: Buffer): number {
  const functionCode = buffer[1];
  if (functionCode === 15 || functionCode === 16) return 9 + buffer[6]!;
  return 8;
}
