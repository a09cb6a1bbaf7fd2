import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { listSerialPorts } from '../../../src/drivers/serial/list-ports.js';

describe('listSerialPorts', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
  });

  it('answers an empty list, not a crash, where udevadm cannot be run (containers)', async () => {
    // SerialPort.list() shells out to udevadm on Linux; with no PATH it cannot be found.
    process.env.PATH = '/nonexistent';
    const lines: string[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => lines.push(line) });
    await expect(listSerialPorts(log)).resolves.toEqual([]);
    expect(lines.some((line) => line.includes('serial port listing unavailable'))).toBe(true);
  });
});
