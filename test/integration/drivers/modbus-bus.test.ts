import { expect, it } from 'vitest';
import type { Thermometer } from '../../../src/drivers/device.js';
import { setTemperature } from '../../../support/sim/modbus-sim.js';
import { RtuSlaveBus } from '../../../support/sim/rtu-slave-bus.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { profile, useHarness, waitFor } from './harness.js';

const POLL_MS = 300;

describeWithTools(['socat'], 'Modbus RTU bus over a socat pty', () => {
  const harness = useHarness();

  async function busWith(baudRate: number, units: Record<number, number | 'dead'>) {
    const thermo = await profile('thermo-rtu-int16');
    const pair = await harness().pty('bus');
    const slaves = new RtuSlaveBus({ path: pair.simPath, baudRate, dataBits: 8, parity: 'none', stopBits: 1 });
    harness().onClose(() => slaves.stop());
    for (const [unitId, value] of Object.entries(units)) {
      const unit = slaves.unit(Number(unitId));
      if (value === 'dead') unit.faults.silent = true;
      else setTemperature(unit.bank, thermo, value);
    }
    slaves.start();
    await waitFor(() => slaves.isOpen, { what: 'simulator port' });
    const device = (unitId: number) =>
      harness().device<Thermometer>({ id: `thermo-${unitId}`, role: 'thermometer', profile: 'thermo-rtu-int16', port: pair.devicePath, baudRate, unitId, pollMs: POLL_MS, timeoutMs: 150 });
    return { slaves, pair, device };
  }

  for (const baudRate of [9600, 115_200]) {
    it(`three units on one port at ${baudRate} baud: one dead, the other two keep their poll period`, async () => {
      const { device } = await busWith(baudRate, { 1: 36.5, 2: 37.1, 5: 'dead' });
      const [one, two, dead] = [await device(1), await device(2), await device(5)];
      await waitFor(() => dead.availability === 'offline' && dead.device.status().lastError !== undefined, { what: 'dead unit offline', timeoutMs: 15_000 });
      expect(dead.device.status().lastError?.code).toBe('GW_DEVICE_TIMEOUT');
      expect(dead.statuses.map((status) => status.availability)).toEqual(['degraded', 'offline']);

      // Watch a window while the dead unit is probed by its breaker.
      const windowMs = 3000;
      const since = performance.now();
      await waitFor(() => performance.now() - since >= windowMs, { what: 'observation window', timeoutMs: windowMs + 1000, intervalMs: 50 });
      const expected = windowMs / POLL_MS;
      for (const live of [one, two]) {
        expect(live.eventsSince(since).length).toBeGreaterThanOrEqual(Math.floor(expected * 0.6));
        expect(live.availability).toBe('online');
      }
      expect(new Set(one.values())).toEqual(new Set([36.5]));
      expect(new Set(two.values())).toEqual(new Set([37.1]));
      expect(dead.values()).toEqual([]);
      expect(harness().logged('serial port open')).toBe(1);
    });
  }
});
