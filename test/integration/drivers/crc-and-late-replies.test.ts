import { expect, it } from 'vitest';
import type { Thermometer } from '../../../src/drivers/device.js';
import { setTemperature } from '../../../support/sim/modbus-sim.js';
import { RtuSlaveBus } from '../../../support/sim/rtu-slave-bus.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { profile, useHarness, waitFor } from './harness.js';

describeWithTools(['socat'], 'Modbus RTU: CRC errors and late replies', () => {
  const harness = useHarness();

  for (const baudRate of [9600, 115_200]) {
    it(`at ${baudRate} baud`, async () => {
      const thermo = await profile('thermo-rtu-int16');
      const pair = await harness().pty('bus');
      const slaves = new RtuSlaveBus({ path: pair.simPath, baudRate, dataBits: 8, parity: 'none', stopBits: 1 });
      harness().onClose(() => slaves.stop());
      setTemperature(slaves.unit(1).bank, thermo, 36.5);
      setTemperature(slaves.unit(2).bank, thermo, 37.1);
      slaves.start();
      await waitFor(() => slaves.isOpen, { what: 'simulator port' });
      const settings = { role: 'thermometer', profile: 'thermo-rtu-int16', port: pair.devicePath, baudRate, pollMs: 100, timeoutMs: 150 } as const;
      const one = await harness().device<Thermometer>({ ...settings, id: 'thermo-1', unitId: 1 });
      const two = await harness().device<Thermometer>({ ...settings, id: 'thermo-2', unitId: 2 });
      await waitFor(() => one.values().length > 2 && two.values().length > 2, { what: 'first readings' });

      // One corrupted reply: the retry answers, the device stays usable.
      slaves.unit(1).faults.crcErrors = 1;
      await waitFor(() => slaves.unit(1).faults.crcErrors === 0, { what: 'CRC error sent' });
      const afterOne = performance.now();
      await waitFor(() => one.eventsSince(afterOne).length > 2, { what: 'readings after one CRC error' });

      // Every reply corrupted: the unit is reported with a protocol error, the port is not reopened.
      slaves.unit(1).faults.crcErrors = 1_000;
      await waitFor(() => one.availability === 'offline', { what: 'unit 1 offline after CRC errors', timeoutMs: 15_000 });
      expect(one.device.status().lastError?.code).toBe('GW_DEVICE_PROTOCOL');
      slaves.unit(1).faults.crcErrors = 0;

      // Replies later than the timeout: no reading may come out of them, whatever the next request is.
      slaves.unit(1).faults.delayMs = 250;
      setTemperature(slaves.unit(1).bank, thermo, 38.2);
      const lateSince = performance.now();
      await waitFor(() => performance.now() - lateSince > 3000, { what: 'late-reply window', timeoutMs: 5000, intervalMs: 50 });
      expect(one.eventsSince(lateSince)).toEqual([]);
      expect(new Set(two.values())).toEqual(new Set([37.1]));

      // Back to prompt replies: readings resume with the current value.
      slaves.unit(1).faults.delayMs = 0;
      const recoveredSince = performance.now();
      await waitFor(() => one.eventsSince(recoveredSince).length > 0, { what: 'readings after late replies', timeoutMs: 10_000 });
      expect(new Set(one.eventsSince(recoveredSince))).toEqual(new Set([38.2]));
      expect(one.availability).toBe('online');
      expect(two.availability).toBe('online');
      expect(harness().logged('serial port open')).toBe(1);
    });
  }
});
