import { expect, it } from 'vitest';
import type { Barrier, Indicator } from '../../../src/drivers/device.js';
import { GatewardenError } from '../../../src/errors.js';
import { LineSim } from '../../../support/sim/line-sim.js';
import { setPassageSensor } from '../../../support/sim/modbus-sim.js';
import { RtuSlaveBus } from '../../../support/sim/rtu-slave-bus.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { profile, useHarness, waitFor } from './harness.js';

const serial = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 } as const;

async function rejection(promise: Promise<unknown>): Promise<GatewardenError> {
  try {
    await promise;
  } catch (error) {
    return error as GatewardenError;
  }
  throw new Error('expected a rejection');
}

describeWithTools(['socat'], 'barriers and indicator over a socat pty', () => {
  const harness = useHarness();

  it('serial barrier: acknowledged release, passage report, refusal, and a controller that never confirms', async () => {
    const pair = await harness().pty('barrier');
    const sim = new LineSim(await profile('barrier-serial-ack'), { ...serial, path: pair.simPath });
    harness().onClose(() => sim.stop());
    sim.start();
    const barrier = await harness().device<Barrier>({ id: 'barrier', role: 'barrier', profile: 'barrier-serial-ack', port: pair.devicePath, timeoutMs: 300 });
    await waitFor(() => sim.isOpen && barrier.availability === 'online', { what: 'barrier online' });

    await barrier.device.release();
    expect(sim.commands).toEqual(['OPEN']);
    sim.passage();
    await waitFor(() => barrier.values().length === 1, { what: 'passage' });

    sim.answer = 'nack';
    expect((await rejection(barrier.device.holdOpen())).code).toBe('GW_BARRIER_NO_ACK');
    expect(sim.commands).toEqual(['OPEN', 'HOLD']);

    sim.answer = 'silent';
    const noAck = await rejection(barrier.device.release());
    expect(noAck.code).toBe('GW_BARRIER_NO_ACK');
    // One retry (the profile's `retries: 1`), then the release is refused.
    expect(sim.commands).toEqual(['OPEN', 'HOLD', 'OPEN', 'OPEN']);
    expect(barrier.availability).not.toBe('online');
    expect(barrier.device.status().lastError?.code).toBe('GW_BARRIER_NO_ACK');
  });

  it('relay-board barrier and indicator on one RS-485 bus: coil pulse, passage edge, indicator outputs, dead board', async () => {
    const pair = await harness().pty('bus');
    const slaves = new RtuSlaveBus({ ...serial, path: pair.simPath });
    harness().onClose(() => slaves.stop());
    slaves.start();
    const barrierProfile = await profile('barrier-relay-rtu');
    const board = slaves.unit(3);
    setPassageSensor(board.bank, barrierProfile, false);
    const lights = slaves.unit(4);
    const barrier = await harness().device<Barrier>({ id: 'barrier', role: 'barrier', profile: 'barrier-relay-rtu', port: pair.devicePath });
    const indicator = await harness().device<Indicator>({ id: 'lights', role: 'indicator', profile: 'indicator-relay-rtu', port: pair.devicePath });
    await waitFor(() => barrier.availability === 'online', { what: 'barrier online' });

    await barrier.device.release();
    expect(board.bank.coils.get(0)).toBe(true);
    await waitFor(() => board.bank.coils.get(0) === false, { what: 'end of release pulse' });
    setPassageSensor(board.bank, barrierProfile, true);
    await waitFor(() => barrier.values().length === 1, { what: 'passage' });
    setPassageSensor(board.bank, barrierProfile, false);

    await indicator.device.show('deny');
    expect([lights.bank.coils.get(0), lights.bank.coils.get(1), lights.bank.coils.get(2)]).toEqual([false, true, true]);
    await waitFor(() => lights.bank.coils.get(2) === false, { what: 'buzzer pulse off' });
    await indicator.device.show('grant');
    expect([lights.bank.coils.get(0), lights.bank.coils.get(1)]).toEqual([true, false]);

    board.faults.silent = true;
    expect((await rejection(barrier.device.release())).code).toBe('GW_BARRIER_NO_ACK');
    await indicator.device.show('idle');
    expect(indicator.availability).toBe('online');
  });
});
