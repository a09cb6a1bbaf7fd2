import { expect, it } from 'vitest';
import type { PlateReader, Scanner, Thermometer } from '../../../src/drivers/device.js';
import { LineSim } from '../../../support/sim/line-sim.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { profile, useHarness, waitFor } from './harness.js';

/** Deterministic noise (a linear congruential generator), so a failure can be replayed. */
function noise(seed: number, length: number): Buffer {
  let state = seed;
  return Buffer.from(Array.from({ length }, () => (state = (state * 1103515245 + 12345) & 0x7fffffff) >> 16 & 0xff));
}

describeWithTools(['socat'], 'serial line devices over a socat pty', () => {
  const harness = useHarness();

  async function lineDevice<T extends Scanner | PlateReader | Thermometer>(model: string, role: T['role'], baudRate: number) {
    const pair = await harness().pty(model);
    const sim = new LineSim(await profile(model), { path: pair.simPath, baudRate, dataBits: 8, parity: 'none', stopBits: 1 });
    harness().onClose(() => sim.stop());
    sim.start();
    const device = await harness().device<T>({ id: 'dev', role, profile: model, port: pair.devicePath, baudRate });
    await waitFor(() => sim.isOpen && device.availability === 'online', { what: `${model} online` });
    return { sim, device };
  }

  for (const baudRate of [9600, 115_200]) {
    for (const model of ['scanner-qr-cr', 'scanner-card-stx-etx']) {
      it(`${model} at ${baudRate} baud keeps every code through noise bursts and an overlong run`, async () => {
        const { sim, device } = await lineDevice<Scanner>(model, 'scanner', baudRate);
        const codes = Array.from({ length: 20 }, (_, index) => (model === 'scanner-qr-cr' ? `HP1:eyJ2IjoxfQ.sig${index}` : `04A1B2C3D4${String(index).padStart(2, '0')}`));
        for (const [index, code] of codes.entries()) {
          sim.inject(noise(index + 1, 1 + ((index * 37) % 90)));
          if (index === 10) sim.inject(Buffer.alloc(700, 0x41));
          sim.send(code);
        }
        await waitFor(() => device.values().length >= codes.length, { what: 'all codes', timeoutMs: 10_000 });
        expect(device.values()).toEqual(codes);
        expect(device.availability).toBe('online');
      });
    }
  }

  it('a plate reader delivers UTF-8 plates and drops low-confidence reads', async () => {
    const { sim, device } = await lineDevice<PlateReader>('plate-reader-serial', 'plate-reader', 9600);
    sim.send('闽D12345');
    sim.inject(Buffer.from('PLATE:闽D99999,40\n'));
    sim.send('粤B6C7D8');
    await waitFor(() => device.values().length >= 2, { what: 'plates' });
    expect(device.values()).toEqual(['闽D12345', '粤B6C7D8']);
  });

  it('an ASCII push thermometer is read through noise, implausible values dropped', async () => {
    const { sim, device } = await lineDevice<Thermometer>('thermo-ascii-push', 'thermometer', 9600);
    sim.inject(noise(7, 40));
    sim.send('36.5');
    sim.send('99.9');
    sim.inject(Buffer.from('T=3'));
    sim.inject(Buffer.from('7.4\r\n'));
    await waitFor(() => device.values().length >= 2, { what: 'readings' });
    expect(device.values()).toEqual([36.5, 37.4]);
  });
});
