import type { IncomingCommand } from '../../src/mqtt/command-handler.js';
import { startHarness, waitFor } from '../../support/gateway/gateway-harness.js';
import { CommandConsole, managerSigner } from '../../support/signed-commands.js';
import { elapsedMs, summarize } from './stats.js';
import type { Bench } from './types.js';

const GATES = 4;
const LANES_PER_GATE = 2;

/** An estate of GATES gates with an entry and an exit lane each, all on virtual devices. */
function estate(): { gates: unknown[]; devices: unknown[] } {
  const gates = [];
  const devices = [];
  for (let g = 0; g < GATES; g += 1) {
    const lanes = [];
    for (let l = 0; l < LANES_PER_GATE; l += 1) {
      const id = `g${g}-l${l}`;
      const entry = l === 0;
      devices.push({ id: `${id}-scanner`, role: 'scanner', driver: 'virtual' }, { id: `${id}-barrier`, role: 'barrier', driver: 'virtual' });
      if (entry) devices.push({ id: `${id}-thermo`, role: 'thermometer', driver: 'virtual' });
      const slots = { scanner: `${id}-scanner`, barrier: `${id}-barrier`, ...(entry ? { thermometer: `${id}-thermo` } : {}) };
      lanes.push({ id: `l${l}`, direction: entry ? 'in' : 'out', devices: slots });
    }
    gates.push({ id: `g${g}`, name: `Gate ${g}`, lanes });
  }
  return { gates, devices };
}

/**
 * "A lockdown command reaches every lane within 100 ms of receipt" (issue 4):
 * a manager alternates lockdown and normal over the embedded broker; for each
 * command, the time from its receipt by the gateway (the broker hands it to the
 * command handler) to the moment every lane's mode reads the new value, and
 * the manager's round trip from signing to the reply (on arrival, not polled,
 * which would add its interval).
 */
export const lockdownLatency: Bench = async ({ scale, log }) => {
  const commands = Math.max(20, Math.round(400 * scale));
  const harness = await startHarness(estate());
  const { gateway } = harness;
  const prefix = gateway.mqtt.topics.prefix;
  // Signed, as every MQTT command must be by default: the receipt-to-lanes time includes the signature check.
  const manager = await CommandConsole.connect({ url: gateway.mqtt.url, prefix, username: 'manager', password: gateway.secrets.mqttPasswords.manager, signer: managerSigner(gateway.secrets) });
  try {
    const laneGates = [...gateway.lanes.values()].map((lane) => lane.id.split('/')[0] as string);

    let receivedAt: bigint | undefined;
    let expected = 'normal';
    const applied: number[] = [];
    const handler = gateway.mqtt.commands;
    const handle = handler.handle.bind(handler);
    handler.handle = (command: IncomingCommand) => {
      receivedAt = process.hrtime.bigint();
      return handle(command);
    };
    gateway.events.on('mode-changed', () => {
      if (receivedAt !== undefined && laneGates.every((gate) => gateway.estate.modeFor(gate) === expected)) {
        applied.push(elapsedMs(receivedAt));
        receivedAt = undefined;
      }
    });

    const roundTrips: number[] = [];
    for (let i = 0; i < commands; i += 1) {
      expected = i % 2 === 0 ? 'lockdown' : 'normal';
      const fields = { reason: `bench ${i}`, by: 'bench' };
      const [name, body] = expected === 'lockdown' ? ['lockdown', { id: `bench-lock-${i}`, ...fields }] : ['mode', { id: `bench-lift-${i}`, ...fields, mode: 'normal' }];
      const started = process.hrtime.bigint();
      const reply = await manager.send(name, body);
      roundTrips.push(elapsedMs(started));
      if (!reply.ok) throw new Error(`command ${body.id} refused: ${JSON.stringify(reply.error)}`);
      await waitFor(() => applied.length === i + 1, `every lane in ${expected} after command ${i}`);
    }

    const a = summarize(applied);
    const r = summarize(roundTrips);
    log(`receipt → every lane: p50 ${a.p50} ms, p99 ${a.p99} ms, max ${a.max} ms over ${a.n} commands, ${gateway.lanes.size} lanes`);
    return {
      name: 'lockdown-latency',
      title: 'Lockdown command: receipt to every lane',
      command: 'npm run build && npm run bench -- --only lockdown-latency',
      figures: {
        commands: a.n,
        lanes: gateway.lanes.size,
        'receipt → every lane in the new mode, p50 (ms)': a.p50,
        'p99 (ms)': a.p99,
        'max (ms)': a.max,
        'manager publish → reply, p50 (ms)': r.p50,
        'manager publish → reply, p99 (ms)': r.p99,
        'target (ms)': 100,
      },
      notes: [
        `Embedded aedes on 127.0.0.1, ${GATES} gates × ${LANES_PER_GATE} lanes on virtual devices, real SQLite (synchronous NORMAL); lockdown and normal alternate.`,
        'Receipt is the moment the broker hands the command to the gateway; applied is when every lane reads the new mode (signature checked, validated, persisted with its audit row, applied).',
        'Commands are signed with the manager key of the generated secrets (Ed25519, commands.requireSignature on, the default); the round trip ends when the whole reply arrives on the console’s own reply topic.',
      ],
    };
  } finally {
    await manager.end();
    await harness.stop();
  }
};
