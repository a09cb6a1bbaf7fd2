import { setTimeout as sleep } from 'node:timers/promises';
import { SerialPort } from 'serialport';
import { expect, it } from 'vitest';
import type { SerialOptions } from '../../../src/drivers/serial/serial-link.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { useHarness, waitFor } from './harness.js';

const SETTINGS = { baudRate: 115_200, dataBits: 8, parity: 'none', stopBits: 1 } as const;

/**
 * The link reads on the poller's callback and writes past the stream when it
 * can (issue 14); these check what that must not change: every byte, in
 * order, and chunks a listener keeps are not overwritten by later reads.
 */
describeWithTools(['socat'], 'SerialLink over a socat pty', () => {
  const harness = useHarness();

  async function open() {
    const pair = await harness().pty('link');
    const serial: SerialOptions = { path: pair.devicePath, ...SETTINGS };
    const link = harness().ports.serialLine(serial, 'probe').acquire();
    const sim = new SerialPort({ path: pair.simPath, ...SETTINGS });
    harness().onClose(() => new Promise<void>((resolve) => (sim.isOpen ? sim.close(() => resolve()) : resolve())));
    await waitFor(() => link.isOpen && sim.isOpen, { what: 'both ends open' });
    return { link, sim };
  }

  it('delivers every byte in order, and chunks a listener keeps stay as they were read', async () => {
    const { link, sim } = await open();
    const kept: Buffer[] = [];
    link.onData((chunk) => kept.push(chunk));
    const sent: Buffer[] = [];
    // More than two read pools (4 KiB each) in many small writes, so pools are replaced while chunks are kept.
    for (let index = 0; index < 300; index += 1) {
      const message = Buffer.alloc(37, index % 251);
      sent.push(message);
      sim.write(message);
      if (index % 10 === 0) await sleep(1);
    }
    const total = Buffer.concat(sent);
    await waitFor(() => kept.reduce((sum, chunk) => sum + chunk.length, 0) >= total.length, { what: 'all bytes read' });
    expect(kept.length).toBeGreaterThan(1);
    expect(Buffer.concat(kept)).toEqual(total);
  });

  it('keeps the order of writes when one is larger than the port takes at once', async () => {
    const { link, sim } = await open();
    const received: Buffer[] = [];
    sim.on('data', (chunk: Buffer) => received.push(chunk));
    const large = Buffer.alloc(1024 * 1024);
    for (let index = 0; index < large.length; index += 1) large[index] = index % 253;
    const after = Buffer.from('after the large one');
    expect(link.write(large)).toBe(true);
    // Without yielding, so the stream cannot refill the port: the other end drains part of it, and the
    // port has room again while the rest of the large write still waits in the stream.
    const busyUntil = performance.now() + 20;
    while (performance.now() < busyUntil);
    expect(link.write(after)).toBe(true);
    const expected = Buffer.concat([large, after]);
    await waitFor(() => received.reduce((sum, chunk) => sum + chunk.length, 0) >= expected.length, { what: 'all bytes at the other end', timeoutMs: 20_000 });
    expect(Buffer.concat(received).equals(expected)).toBe(true);
  });
});
