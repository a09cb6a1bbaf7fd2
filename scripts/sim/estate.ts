import { loadProfile } from '../../src/drivers/profile/load-profile.js';
import { LineSim } from './line-sim.js';
import { setPassageSensor, setTemperature } from './modbus-sim.js';
import { PtyPair } from './pty-pair.js';
import { RtuSlaveBus } from './rtu-slave-bus.js';
import { TcpSlave } from './tcp-slave.js';

const serial = { dataBits: 8, parity: 'none', stopBits: 1 } as const;

/**
 * A simulated estate entrance with every shipped profile: one RS-485 bus with
 * the Modbus thermometer, relay barrier and indicator; one pty per serial-line
 * device; the float32 thermometer on Modbus TCP. Returns the gateway-side
 * settings for each device, ready to paste into a config.
 */
export async function startEstate(dir: string, devicesDir: string) {
  const profile = (name: string) => loadProfile(devicesDir, name);
  const pairs: Record<string, PtyPair> = {};
  const pty = async (name: string) => {
    const pair = new PtyPair(dir, name);
    await pair.start();
    pairs[name] = pair;
    return pair;
  };

  const busPair = await pty('rs485');
  const bus = new RtuSlaveBus({ ...serial, path: busPair.simPath, baudRate: 9600 });
  setTemperature(bus.unit(1).bank, await profile('thermo-rtu-int16'), 36.6);
  setPassageSensor(bus.unit(3).bank, await profile('barrier-relay-rtu'), false);
  bus.unit(4);
  bus.start();

  const tcp = new TcpSlave();
  await tcp.start();
  setTemperature(tcp.bank, await profile('thermo-modbus-float32'), 36.8);

  const lines: Record<string, LineSim> = {};
  const devices: Record<string, unknown>[] = [
    { id: 'gate1-thermo', role: 'thermometer', driver: 'profile', profile: 'thermo-rtu-int16', port: busPair.devicePath, unitId: 1 },
    { id: 'gate1-barrier', role: 'barrier', driver: 'profile', profile: 'barrier-relay-rtu', port: busPair.devicePath, unitId: 3 },
    { id: 'gate1-lights', role: 'indicator', driver: 'profile', profile: 'indicator-relay-rtu', port: busPair.devicePath, unitId: 4 },
    { id: 'gate2-thermo', role: 'thermometer', driver: 'profile', profile: 'thermo-modbus-float32', host: '127.0.0.1', tcpPort: tcp.port },
  ];
  const lineDevices = [
    ['gate1-scanner', 'scanner', 'scanner-qr-cr'],
    ['gate1-cards', 'scanner', 'scanner-card-stx-etx'],
    ['gate2-thermo-push', 'thermometer', 'thermo-ascii-push'],
    ['gate2-barrier', 'barrier', 'barrier-serial-ack'],
    ['gate3-plates', 'plate-reader', 'plate-reader-serial'],
  ] as const;
  for (const [id, role, model] of lineDevices) {
    const spec = await profile(model);
    const pair = await pty(id);
    const sim = new LineSim(spec, { ...serial, path: pair.simPath, baudRate: spec.transport.baudRate });
    sim.start();
    lines[id] = sim;
    devices.push({ id, role, driver: 'profile', profile: model, port: pair.devicePath });
  }

  return {
    devices,
    bus,
    tcp,
    lines,
    pairs,
    async stop() {
      await Promise.all([bus.stop(), tcp.stop(), ...Object.values(lines).map((sim) => sim.stop())]);
      await Promise.all(Object.values(pairs).map((pair) => pair.stop()));
    },
  };
}
