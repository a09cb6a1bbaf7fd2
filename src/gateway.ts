import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { GatewayCommandService } from './commands/command-service.js';
import type { ModeController } from './commands/mode-controller.js';
import type { Config } from './config/schema.js';
import type { Clock } from './core/clock.js';
import type { PassageRecord } from './core/lane-types.js';
import { startCrowd } from './demo/start-crowd.js';
import type { AnyDevice } from './drivers/device.js';
import type { EstateRegistry } from './estate/estate-registry.js';
import type { EstateState } from './estate/estate-state.js';
import type { EventBus } from './event-bus.js';
import type { GatewayStore, StartContext } from './gateway/context.js';
import { connectBroker } from './gateway/broker-side.js';
import { buildEstate, type GatewayEstate } from './gateway/estate.js';
import { buildLocalParts, type LocalParts } from './gateway/local-parts.js';
import { StopStack } from './gateway/stop-stack.js';
import { openStore } from './gateway/store.js';
import { startWatchers, type RuleChecks } from './gateway/watchers.js';
import type { RunningHttp } from './http/guard-room.js';
import type { LaneRunner } from './lane/lane-runner.js';
import type { MqttLink } from './mqtt/mqtt-link.js';
import { generateEd25519, loadSecrets, type Secrets } from './secrets.js';
import type { Db } from './store/database.js';
import type { Journal } from './store/journal.js';

export interface GatewayOptions {
  config: Readonly<Config>;
  log: Logger;
  clock?: Clock;
  /** Called after every recorded passage (tests, the guard-room page). */
  onPassage?: (passage: PassageRecord) => void;
  /** Start an empty database where one created before is missing (`start --new-database`). */
  newDatabase?: boolean;
}

export interface Gateway {
  config: Readonly<Config>;
  /** The writer thread's connection (store/writer-db.ts). */
  db: Db;
  /** The read-only connection beside it. */
  reader: Db;
  journal: Journal;
  /** What the parts announce (passages, mode changes, queued messages, storage faults); listeners are isolated. */
  events: EventBus;
  estate: EstateState;
  lanes: ReadonlyMap<string, LaneRunner>;
  devices: ReadonlyMap<string, AnyDevice>;
  mqtt: MqttLink;
  commands: GatewayCommandService;
  modes: ModeController;
  secrets: Secrets;
  secretsCreated: boolean;
  /** Plain API tokens generated at this start (role → token), to print once; absent when none were made. */
  issuedApiTokens?: Record<string, string>;
  /** The guard-room page and API, when `http.enabled`. */
  http?: RunningHttp;
  /** The estate rules' data and their periodic checks, callable at once (scenario runner, tests). */
  rules: RuleChecks & { registry: EstateRegistry };
  stop(): Promise<void>;
}

const systemClock: Clock = { now: () => Date.now() };

/**
 * The composition root: config → secrets → store → estate → devices and lanes
 * → MQTT → watchers → start → demo crowd → HTTP. Everything started here is
 * stopped in reverse order (gateway/stop-stack.ts).
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, log } = options;
  const stops = new StopStack(log);
  try {
    const { secrets, created, issuedApiTokens } = loadSecrets(config.secrets.path, config.secrets.generate, config.demo.crowd);
    const context: StartContext = { config, secrets, clock: options.clock ?? systemClock, log, stops };
    const store = openStore(context, options.newDatabase ?? false);
    const estate = buildEstate(context, store);
    const { onPassage } = options;
    if (onPassage) store.events.on('passage-recorded', ({ passage }) => onPassage(passage));
    const parts = await buildLocalParts(context, store, estate);
    const mqtt = await connectBroker(context, store, estate, parts);
    const checks = startWatchers(context, store, estate, parts, mqtt);
    await startLocalParts(context, parts);
    // Last to start, first to stop: no request reaches a part that is already stopped.
    const http = config.http.enabled ? await listen(context, store, estate, parts, mqtt) : undefined;
    const { devices, lanes, commands, modes } = parts;
    log.info({ estate: config.estate.id, lanes: lanes.size, devices: devices.size, prefix: store.topics.prefix }, 'gateway running');
    const { db, journal, events } = store;
    const { reader } = store.access;
    const rules = { registry: estate.registry, ...checks };
    return { config, db, reader, journal, events, estate: estate.estate, lanes, devices, mqtt, commands, modes, secrets, secretsCreated: created, rules, ...(issuedApiTokens ? { issuedApiTokens } : {}), ...(http ? { http } : {}), stop: () => stops.run() };
  } catch (error) {
    await stops.run();
    throw error;
  }
}

/** Devices first, then the barriers driven to the restored mode, then the lanes, then the demo crowd. */
async function startLocalParts({ config, secrets, clock, log, stops }: StartContext, { devices, lanes, modes }: LocalParts): Promise<void> {
  for (const device of devices.values()) {
    await device.start().catch((error: Error) => log.error({ device: device.id, err: error.message }, 'device failed to start'));
    stops.push(() => device.stop());
  }
  modes.refresh();
  for (const lane of lanes.values()) {
    lane.start();
    stops.push(() => lane.stop());
  }
  if (!config.demo.crowd) return;
  const crowd = startCrowd({
    gates: config.gates,
    devices,
    lanes,
    cards: config.roster.cards,
    issuer: secrets.demoIssuer ?? generateEd25519('demo-issuer'),
    forger: generateEd25519('unknown-issuer'),
    arrivalEveryMs: config.demo.arrivalEveryMs,
    seed: config.demo.seed ?? Number.parseInt(randomUUID().slice(0, 8), 16),
    clock,
    log,
  });
  stops.push(() => crowd.stop());
}

async function listen(context: StartContext, { db, access }: GatewayStore, { estate }: GatewayEstate, parts: LocalParts, mqtt: MqttLink): Promise<RunningHttp> {
  const { clock, log, stops } = context;
  const { lanes, devices, commands, storage } = parts;
  const http = await parts.guardRoom.listen({ db, reader: access.reader, estate, lanes, devices, commands, brokerConnected: () => mqtt.connection.client.connected, storage, clock, log });
  stops.push(() => http.stop());
  return http;
}
