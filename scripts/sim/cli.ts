/**
 * `npm run sim [-- CONFIG] [--every MS] [--people N]`: the simulated estate end
 * to end. Starts a simulator behind every device port of CONFIG (default
 * config/sim.yaml), then the gateway with that config over the real serial
 * ports, then sends people through (N of them, one every MS, default 3000 ms
 * and 600: about half an hour), and stops cleanly on Ctrl-C or at the end.
 * Commands on stdin act on a device by its config id:
 *   temp <device> <celsius>     a thermometer reads this
 *   scan <device> <code>        a scanner or the plate camera sends this
 *   noise <device> <n>          n random bytes on a serial line
 *   silent <device> on|off      a Modbus unit stops / resumes answering
 *   delay <device> <ms>         a Modbus unit answers late
 *   crc <device> <n>            the next n replies of a Modbus unit carry a bad CRC
 *   unplug <port> / replug <port>
 *   quit
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startGateway } from '../../src/gateway.js';
import { createLogger } from '../../src/log.js';
import { SimEstate } from '../../support/sim/estate.js';
import { loadSimConfig } from '../../support/sim/sim-config.js';
import { Visitors } from './visitors.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { every: { type: 'string', default: '3000' }, people: { type: 'string', default: '600' } },
});
const { config, issuer } = loadSimConfig(positionals[0] ?? 'config/sim.yaml');
const log = createLogger(config.log.level);
const estate = await SimEstate.start(config, { walkThroughMs: 300, detachPtys: true });
log.info({ ports: [...estate.pairs.keys()] }, 'simulators up behind every device port');
const gateway = await startGateway({ config, log });
if (gateway.http) log.info({ url: gateway.http.url, tokens: gateway.issuedApiTokens }, 'guard-room page');
const visitors = new Visitors(estate, config, issuer);
visitors.start(Number(values.every), Number(values.people), (visit) => log.info({ module: 'sim', ...visit }, 'someone arrives'));

const commands: Record<string, (args: string[]) => Promise<unknown> | unknown> = {
  temp: ([id, celsius]) => estate.setTemperature(id ?? '', Number(celsius)),
  scan: ([id, code]) => estate.line(id ?? '').send(code ?? ''),
  noise: ([id, count]) => estate.line(id ?? '').inject(randomBytes(Number(count ?? 32))),
  silent: ([id, state]) => (estate.faults(id ?? '').silent = state === 'on'),
  delay: ([id, ms]) => (estate.faults(id ?? '').delayMs = Number(ms)),
  crc: ([id, count]) => (estate.faults(id ?? '').crcErrors = Number(count)),
  unplug: ([port]) => estate.pairs.get(port ?? '')?.unplug(),
  replug: ([port]) => estate.pairs.get(port ?? '')?.replug(),
};

let stopping = false;
async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ reason }, 'stopping the simulated estate');
  visitors.stop();
  input.close();
  await gateway.stop();
  await estate.stop();
  log.info('stopped cleanly');
  log.flush();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
setTimeout(() => void shutdown('all visitors sent'), Number(values.every) * (Number(values.people) + 2)).unref();

const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  const [name, ...args] = line.trim().split(/\s+/);
  if (name === 'quit') return void shutdown('quit');
  const command = name ? commands[name] : undefined;
  if (!command) return void log.warn({ line }, 'unknown command');
  Promise.resolve()
    .then(() => command(args))
    .then(() => log.info({ line }, 'done'))
    .catch((error: Error) => log.warn({ line, err: error.message }, 'command failed'));
});
