import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { GatewardenError } from '../../src/errors.js';
import { withCrc } from '../../src/drivers/modbus/crc16.js';
import { ModbusBus } from '../../src/drivers/modbus/modbus-bus.js';
import { RtuLine } from '../../src/drivers/modbus/rtu-line.js';
import type { SerialLink } from '../../src/drivers/serial/serial-link.js';
import { splitAt } from '../../support/fuzz/framing-chunks.js';
import { propertyParameters } from './runs.js';

/**
 * Modbus RTU replies as they come off a bad line: truncated, with a wrong CRC,
 * from the wrong unit, for the wrong function, or a Modbus exception, each cut
 * into random chunks. Through the real RtuLine, modbus-serial client and bus
 * queue, only the intact reply is ever taken as the answer; everything else
 * is refused with a coded error, never a crash or a wrong value.
 */
const UNIT = 7;
const log = pino({ level: 'silent' });

type Mutation = 'intact' | 'truncated' | 'bad-crc' | 'wrong-unit' | 'wrong-function' | 'exception';

/** Just enough of a serial link for RtuLine: whatever is written gets `answer(request)` back, in chunks. */
class ScriptedLink {
  readonly options = { path: 'scripted', baudRate: 115_200, dataBits: 8, parity: 'none', stopBits: 1 } as const;
  readonly isOpen = true;
  lastReceivedAt = 0;
  private listener: ((chunk: Buffer) => void) | undefined;
  answer: (request: Buffer) => Buffer[] = () => [];

  onData(listener: (chunk: Buffer) => void): void {
    this.listener = listener;
  }
  onState(): void {}
  start(): void {}
  async stop(): Promise<void> {}

  write(request: Buffer): boolean {
    const chunks = this.answer(request);
    setImmediate(() => {
      for (const chunk of chunks) {
        this.lastReceivedAt = performance.now();
        this.listener?.(chunk);
      }
    });
    return true;
  }
}

function reply(registers: number[], mutation: Mutation, detail: number): Buffer {
  const data = Buffer.alloc(registers.length * 2);
  registers.forEach((value, index) => data.writeUInt16BE(value, index * 2));
  switch (mutation) {
    case 'intact':
      return withCrc(Buffer.concat([Buffer.of(UNIT, 3, data.length), data]));
    case 'truncated': {
      const whole = withCrc(Buffer.concat([Buffer.of(UNIT, 3, data.length), data]));
      return whole.subarray(0, detail % whole.length);
    }
    case 'bad-crc': {
      const frame = withCrc(Buffer.concat([Buffer.of(UNIT, 3, data.length), data]));
      // Flip one bit anywhere after the address and function: data or CRC.
      const at = 2 + (detail % (frame.length - 2));
      frame[at]! ^= 1 << (detail % 8);
      return frame;
    }
    case 'wrong-unit':
      return withCrc(Buffer.concat([Buffer.of(1 + ((UNIT + (detail % 246)) % 247), 3, data.length), data]));
    case 'wrong-function':
      return withCrc(Buffer.concat([Buffer.of(UNIT, [1, 2, 4, 5, 6, 15, 16][detail % 7]!, data.length), data]));
    case 'exception':
      return withCrc(Buffer.of(UNIT, 0x83, 1 + (detail % 11)));
  }
}

describe('Modbus RTU replies from a bad line', () => {
  it('takes only an intact reply as the answer, and refuses every other one with a coded error', async () => {
    const link = new ScriptedLink();
    const bus = new ModbusBus(new RtuLine(link as unknown as SerialLink, log), log);
    const unit = { unitId: UNIT, timeoutMs: 15, lateReplyGuardMs: 0 };
    const mutation = fc.constantFrom<Mutation>('intact', 'truncated', 'bad-crc', 'wrong-unit', 'wrong-function', 'exception');
    const registers = fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(registers, mutation, fc.nat(), fc.array(fc.nat(), { maxLength: 4 }), async (values, kind, detail, cuts) => {
        link.answer = () => splitAt(reply(values, kind, detail), cuts);
        const outcome = await bus.request(unit, 'read', (client) => client.readHoldingRegisters(0, values.length)).then(
          (result) => ({ ok: true as const, data: result.data }),
          (error: unknown) => ({ ok: false as const, error }),
        );
        if (kind === 'intact') {
          expect(outcome).toEqual({ ok: true, data: values });
          return;
        }
        expect(outcome.ok).toBe(false);
        if (outcome.ok) return;
        expect(outcome.error).toBeInstanceOf(GatewardenError);
        const { code, message } = outcome.error as GatewardenError;
        expect(['GW_DEVICE_PROTOCOL', 'GW_DEVICE_TIMEOUT']).toContain(code);
        expect(message).toMatch(/^unit 7 read: \S/);
        if (kind === 'exception') expect(code).toBe('GW_DEVICE_PROTOCOL');
      }),
      propertyParameters,
    );
  }, 60_000);
});
