/**
 * `tsx scripts/sim/serve-bus.ts PATH BAUD`: one simulated RS-485 bus in a
 * process of its own (benches compare two masters against it, and neither
 * should share an event loop with the slave). Unit 1 is a thermo-rtu-int16
 * thermometer reading 36.6 °C. Prints "ready" once the port is open; stops on
 * SIGTERM or when stdin closes.
 */
import { loadProfile } from '../../src/drivers/profile/load-profile.js';
import { SHIPPED_PROFILES_DIR } from '../../src/drivers/profile/profiles-dir.js';
import { setTemperature } from '../../support/sim/modbus-sim.js';
import { RtuSlaveBus } from '../../support/sim/rtu-slave-bus.js';
import { waitFor } from '../../support/sim/wait-for.js';

const [path, baud] = process.argv.slice(2);
if (!path || !baud) {
  process.stderr.write('usage: serve-bus.ts PATH BAUD\n');
  process.exit(2);
}
const bus = new RtuSlaveBus({ path, baudRate: Number(baud), dataBits: 8, parity: 'none', stopBits: 1 });
setTemperature(bus.unit(1).bank, await loadProfile(SHIPPED_PROFILES_DIR, 'thermo-rtu-int16'), 36.6);
bus.start();
await waitFor(() => bus.isOpen, { what: `${path} open` });
process.stdout.write('ready\n');
const stop = () => void bus.stop().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
