import { expect, it } from 'vitest';
import { join } from 'node:path';
import { AnnouncerSim } from '../../../support/sim/announcer-sim.js';
import { SimEstate } from '../../../support/sim/estate.js';
import { validateConfig } from '../../../src/config/load-config.js';
import { harnessConfig } from '../../../support/gateway/gateway-harness.js';
import type { UartAnnouncer } from '../../../src/drivers/announcer/announcer-uart.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { profile, useHarness, waitFor } from './harness.js';

const hex = (text: string) => text.replace(/\s+/g, '').toLowerCase();
const clip = (number: number) => ({ number, text: `clip ${number}` });

describeWithTools(['socat'], 'UART voice modules over a socat pty', () => {
  const harness = useHarness();

  async function module(model: 'voice-dfplayer-mini' | 'voice-jq8900') {
    const pair = await harness().pty(model);
    const spec = (await profile(model)).announcer?.module;
    if (!spec) throw new Error(`${model} has no module section`);
    const sim = new AnnouncerSim(spec, { path: pair.simPath, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });
    harness().onClose(() => sim.stop());
    sim.start();
    const recorded = await harness().device<UartAnnouncer>({ id: 'voice', role: 'announcer', profile: model, port: pair.devicePath });
    await waitFor(() => sim.isOpen && recorded.availability === 'online', { what: `${model} online` });
    return { sim, device: recorded.device };
  }

  it('DFPlayer Mini: the volume at open, then each clip, byte for byte', async () => {
    const { sim, device } = await module('voice-dfplayer-mini');
    device.play(clip(1));
    device.play(clip(300));
    await waitFor(() => sim.clips.length === 2, { what: 'two clips' });
    expect(sim.received().toString('hex')).toBe(hex('7E FF 06 06 00 00 19 FE DC EF' + '7E FF 06 03 00 00 01 FE F7 EF' + '7E FF 06 03 00 01 2C FE CB EF'));
    expect(sim.clips).toEqual([1, 300]);
    expect(sim.volumes).toEqual([25]);
    expect(sim.badBytes).toBe(0);
  });

  it('JQ8900: the volume at open, then each clip, byte for byte', async () => {
    const { sim, device } = await module('voice-jq8900');
    device.play(clip(8));
    await waitFor(() => sim.clips.length === 1, { what: 'one clip' });
    expect(sim.received().toString('hex')).toBe(hex('AA 13 01 19 D7' + 'AA 07 02 00 08 BB'));
  });

  it('garbage from the module is counted and skipped; its events are read; an error frame degrades it', async () => {
    const { sim, device } = await module('voice-dfplayer-mini');
    sim.inject(Buffer.from([0x00, 0x13, 0x37, 0x7e, 0xff, 0x06, 0x3d])); // noise, then a frame cut short by more noise
    sim.inject(Buffer.from('hello'));
    sim.reply(0x3d, 1);
    await waitFor(() => device.received.length === 1, { what: 'the finished event' });
    expect(device.received).toEqual([{ command: 0x3d, param: 1 }]);
    expect(device.noiseBytes).toBe(7 + 5);
    expect(device.status().availability).toBe('online');
    sim.reply(0x40, 3);
    await waitFor(() => device.status().availability === 'degraded', { what: 'degraded on the module error' });
    expect(device.status().lastError?.code).toBe('GW_DEVICE_PROTOCOL');
    device.play(clip(2));
    await waitFor(() => sim.clips.length === 1, { what: 'still plays' });
  });

  it('the simulated estate puts a module simulator behind a configured voice module, and nothing behind a local player', async () => {
    const port = join(harness().dir, 'voice');
    const base = harnessConfig(harness().dir);
    const config = validateConfig(
      {
        ...base,
        devices: [
          ...(base.devices as object[]),
          { id: 'in-voice', role: 'announcer', driver: 'profile', profile: 'voice-dfplayer-mini', port },
          { id: 'in-speaker', role: 'announcer', driver: 'profile', profile: 'voice-aplay-local' },
        ],
      },
      'test',
    );
    const estate = await SimEstate.start(config);
    harness().onClose(() => estate.stop());
    const sim = estate.device('in-voice');
    expect(sim.kind).toBe('announcer');
    expect(estate.devices.has('in-speaker')).toBe(false);
    const recorded = await harness().device<UartAnnouncer>({ id: 'in-voice', role: 'announcer', profile: 'voice-dfplayer-mini', port });
    await waitFor(() => recorded.availability === 'online', { what: 'module online' });
    recorded.device.play(clip(5));
    await waitFor(() => sim.kind === 'announcer' && sim.sim.clips.includes(5), { what: 'clip 5 at the simulator' });
  });
});
