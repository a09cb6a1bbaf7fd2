/**
 * `npx tsx scripts/sim/cli.ts [dir]`: brings up the simulated estate on socat
 * ptys under `dir` (default /tmp/gatewarden-sim), prints the device settings
 * for the gateway config, and takes commands on stdin:
 *   temp <celsius>            thermometer on the RS-485 bus (unit 1)
 *   scan <code>               QR scanner sends a code
 *   plate <plate>             plate reader sends a plate
 *   noise <n>                 n random bytes on the QR scanner line
 *   silent <unit> on|off      a bus unit stops / resumes answering
 *   delay <unit> <ms>         a bus unit answers late
 *   crc <unit> <n>            the next n replies of a unit carry a bad CRC
 *   unplug <pty> / replug <pty>
 *   quit
 */
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadProfile } from '../../src/drivers/profile/load-profile.js';
import { startEstate } from './estate.js';
import { setTemperature } from './modbus-sim.js';

const dir = process.argv[2] ?? '/tmp/gatewarden-sim';
const devicesDir = fileURLToPath(new URL('../../devices', import.meta.url));
mkdirSync(dir, { recursive: true });
const estate = await startEstate(dir, devicesDir);
process.stdout.write(`${JSON.stringify({ devices: estate.devices }, null, 2)}\nready; ptys: ${Object.keys(estate.pairs).join(', ')}\n`);

const thermoProfile = await loadProfile(devicesDir, 'thermo-rtu-int16');

const commands: Record<string, (args: string[]) => Promise<unknown> | unknown> = {
  temp: ([celsius]) => setTemperature(estate.bus.unit(1).bank, thermoProfile, Number(celsius)),
  scan: ([code]) => estate.lines['gate1-scanner']?.send(code ?? ''),
  plate: ([plate]) => estate.lines['gate3-plates']?.send(plate ?? ''),
  noise: ([count]) => estate.lines['gate1-scanner']?.inject(randomBytes(Number(count ?? 32))),
  silent: ([unit, state]) => (estate.bus.unit(Number(unit)).faults.silent = state === 'on'),
  delay: ([unit, ms]) => (estate.bus.unit(Number(unit)).faults.delayMs = Number(ms)),
  crc: ([unit, count]) => (estate.bus.unit(Number(unit)).faults.crcErrors = Number(count)),
  unplug: ([name]) => estate.pairs[name ?? '']?.unplug(),
  replug: ([name]) => estate.pairs[name ?? '']?.replug(),
};

const input = createInterface({ input: process.stdin });
for await (const line of input) {
  const [name, ...args] = line.trim().split(/\s+/);
  if (name === 'quit') break;
  const command = name ? commands[name] : undefined;
  if (!command) {
    process.stdout.write(`unknown command: ${line}\n`);
    continue;
  }
  await command(args);
  process.stdout.write('ok\n');
}
await estate.stop();
