import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { withCrc } from '../../../src/drivers/modbus/crc16.js';
import { RtuLine } from '../../../src/drivers/modbus/rtu-line.js';
import type { SerialLink } from '../../../src/drivers/serial/serial-link.js';
import { waitFor } from '../../../support/sim/wait-for.js';

/** A link whose unit answers a read of one register with `value`, or stays silent while `silent`. */
class AnsweringLink {
  readonly options = { path: 'fake', baudRate: 115_200, dataBits: 8, parity: 'none', stopBits: 1 } as const;
  isOpen = true;
  lastReceivedAt = 0;
  silent = false;
  value = 0x0102;
  stopped = false;
  private listener: ((chunk: Buffer) => void) | undefined;

  onData(listener: (chunk: Buffer) => void): void {
    this.listener = listener;
  }
  onState(): void {}
  start(): void {}
  async stop(): Promise<void> {
    this.stopped = true;
  }

  write(request: Buffer): boolean {
    if (this.silent) return true;
    const reply = withCrc(Buffer.of(request[0]!, 3, 2, this.value >> 8, this.value & 0xff));
    setImmediate(() => {
      this.lastReceivedAt = performance.now();
      this.listener?.(reply);
    });
    return true;
  }
}

function line() {
  const link = new AnsweringLink();
  const rtu = new RtuLine(link as unknown as SerialLink, pino({ level: 'silent' }));
  const read = (timeoutMs: number) => {
    rtu.client.setTimeout(timeoutMs);
    return rtu.client.readHoldingRegisters(0, 1);
  };
  return { link, rtu, read };
}

const timeout = { code: 'GW_DEVICE_TIMEOUT' };

describe('RtuLine timeouts', () => {
  it('times a request out after its own timeout, also after earlier requests were answered and the timer ran out idle', async () => {
    const { link, read } = line();
    await expect(read(20)).resolves.toEqual({ data: [0x0102] });
    await new Promise((resolve) => setTimeout(resolve, 40));
    await expect(read(20)).resolves.toEqual({ data: [0x0102] });

    link.silent = true;
    const started = performance.now();
    await expect(read(20)).rejects.toMatchObject({ ...timeout, message: 'no reply within 20 ms' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(19);
  });

  it('counts the timeout from the request on the wire, not from an earlier one', async () => {
    const { link, read } = line();
    await expect(read(60)).resolves.toEqual({ data: [0x0102] });
    await new Promise((resolve) => setTimeout(resolve, 40));
    link.silent = true;
    const started = performance.now();
    await expect(read(60)).rejects.toMatchObject(timeout);
    expect(performance.now() - started).toBeGreaterThanOrEqual(59);
  });

  it('uses each request’s timeout when units with different timeouts take turns', async () => {
    const { link, read } = line();
    link.silent = true;
    let started = performance.now();
    await expect(read(50)).rejects.toMatchObject({ ...timeout, message: 'no reply within 50 ms' });
    expect(performance.now() - started).toBeGreaterThanOrEqual(49);
    started = performance.now();
    await expect(read(10)).rejects.toMatchObject({ ...timeout, message: 'no reply within 10 ms' });
    expect(performance.now() - started).toBeLessThan(45);
    link.silent = false;
    await expect(read(50)).resolves.toEqual({ data: [0x0102] });
  });

  it('still times out a request that is on the wire when the line stops', async () => {
    const { link, rtu, read } = line();
    link.silent = true;
    const pending = read(20);
    await rtu.stop();
    await waitFor(() => link.stopped, { what: 'link stopped' });
    await expect(pending).rejects.toMatchObject(timeout);
  });
});
