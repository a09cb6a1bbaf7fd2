import { expect, it } from 'vitest';
import type { Indicator } from '../../../src/drivers/device.js';
import { RtuSlaveBus } from '../../../support/sim/rtu-slave-bus.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { useHarness, waitFor } from './harness.js';

describeWithTools(['socat'], 'a Modbus indicator asked faster than its bus can switch it', () => {
  const harness = useHarness();

  it('shows the latest signal and queues at most one behind the one being switched', async () => {
    const pair = await harness().pty('bus');
    const slaves = new RtuSlaveBus({ path: pair.simPath, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
    harness().onClose(() => slaves.stop());
    slaves.start();
    const lights = slaves.unit(4);
    const indicator = await harness().device<Indicator>({ id: 'lights', role: 'indicator', profile: 'indicator-relay-rtu', port: pair.devicePath });
    // An indicator is not polled: it is up once a signal gets through.
    let up = false;
    await waitFor(() => {
      if (!up) indicator.device.show('idle').then(() => (up = true), () => undefined);
      return up;
    }, { what: 'indicator reachable', intervalMs: 50 });
    lights.bank.writes.length = 0;

    // Ten lane changes in one tick: a stale queue would switch all ten, 3 coil writes each.
    const signals = ['grant', 'deny', 'refer', 'busy', 'grant', 'deny', 'refer', 'busy', 'grant', 'idle'] as const;
    await Promise.all(signals.map((signal) => indicator.device.show(signal)));
    const writes = lights.bank.writes.filter((write) => write.functionCode === 5);
    // The first signal, then the latest: two signals of three outputs each.
    expect(writes.length).toBeLessThanOrEqual(6);
    expect([lights.bank.coils.get(0), lights.bank.coils.get(1)]).toEqual([false, false]);
  });
});
