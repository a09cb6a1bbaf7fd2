import { commandsWithSecretKeys } from '../commands/command-keys.js';
import { GatewayCommandService } from '../commands/command-service.js';
import { ModeController } from '../commands/mode-controller.js';
import { createDevices } from '../drivers/create-devices.js';
import type { AnyDevice, Barrier } from '../drivers/device.js';
import { createPortRegistry } from '../drivers/port-registry.js';
import type { DevicePlacement } from '../estate/device-monitor.js';
import { GuardRoom } from '../http/guard-room.js';
import { buildLanes } from '../lane/build-lanes.js';
import type { LaneRunner } from '../lane/lane-runner.js';
import { DatabaseWatch } from '../store/db-watch.js';
import type { GatewayStore, StartContext } from './context.js';
import type { GatewayEstate } from './estate.js';

/** Everything that runs without the network: devices, lanes, modes, commands, the guard room, the database watch. */
export interface LocalParts {
  devices: ReadonlyMap<string, AnyDevice>;
  placement: DevicePlacement;
  lanes: ReadonlyMap<string, LaneRunner>;
  modes: ModeController;
  commands: GatewayCommandService;
  guardRoom: GuardRoom;
  storage: DatabaseWatch;
}

/** Builds the local parts; none is started, except that the persisted mode is restored. */
export async function buildLocalParts(context: StartContext, store: GatewayStore, { estate }: GatewayEstate): Promise<LocalParts> {
  const { config, secrets, clock, log, stops } = context;
  const { db, pragmas, journal, events } = store;
  const ports = createPortRegistry({ log });
  // Pushed before the devices' own stops, so it runs after them: ports close once no device uses them.
  stops.push(() => ports.stop());
  const devices = await createDevices(config.devices, { clock, log, ports });
  // Made before the lanes, so their passages feed the metrics from the first scan.
  const guardRoom = new GuardRoom(config, devices.values(), () => journal.outbox.stats(clock.now()), events, log, secrets.apiTokens ?? []);
  const storage = new DatabaseWatch({ db, pragmas, path: config.storage.path, log, everyMs: 2000, onFault: (error) => events.emit('storage-fault', { error, where: {} }) });
  stops.push(() => storage.stop());
  const { lanes, placement } = buildLanes(config.gates, config.policy, { devices, estate, journal, events, clock, log });
  const barriers = config.gates.flatMap((g) => g.lanes.map((l) => ({ gate: g.id, barrier: devices.get(l.devices.barrier) as Barrier })));
  const modes = new ModeController({ db, estate, barriers, journal, clock, log, events });
  // The persisted mode applies before any broker is contacted: a lockdown survives a restart with the network down.
  modes.restore();
  stops.push(() => modes.stop());
  const commands = new GatewayCommandService(
    { db, estate, modes, lanes, hashSubject: (kind, id) => journal.hashSubject({ kind, id }), clock, log },
    commandsWithSecretKeys(config.commands, secrets),
    (summary, at) => journal.recordAudit(summary, at),
    config.estate.id,
  );
  return { devices, placement, lanes, modes, commands, guardRoom, storage };
}
