import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from './core/clock.js';
import { buildRoster } from './core/roster.js';
import type { TrustList } from './core/trust-list.js';
import type { Config } from './config/schema.js';
import { Crowd, type CrowdLane } from './demo/crowd.js';
import { PassIssuer } from './demo/pass-issuer.js';
import type { Announcer, AnyDevice, Barrier, Indicator, Scanner, Thermometer } from './drivers/device.js';
import { createDevices } from './drivers/create-devices.js';
import { createPortRegistry } from './drivers/port-registry.js';
import { VirtualBarrier } from './drivers/virtual/virtual-barrier.js';
import { VirtualScanner } from './drivers/virtual/virtual-scanner.js';
import { VirtualThermometer } from './drivers/virtual/virtual-thermometer.js';
import { GateState } from './lane/gate-state.js';
import { LaneRunner, type LaneRunnerDeps } from './lane/lane-runner.js';
import { StorageFaultReporter } from './lane/storage-fault-reporter.js';
import { watchTrustList } from './lane/trust-monitor.js';
import { EstateRegistry } from './lane/estate-registry.js';
import { watchExitPasses } from './lane/exit-overdue-monitor.js';
import { RuleStore } from './store/rule-store.js';
import { createHmac } from 'node:crypto';
import type { OutgoingMessage } from './mqtt/messages.js';
import { laneSetup } from './lane/lane-setup.js';
import { watchDevices, type DevicePlacement } from './lane/device-monitor.js';
import { startMqtt, type MqttLink } from './mqtt/mqtt-link.js';
import { reportBrokerOutages } from './mqtt/broker-outage-reporter.js';
import { GatewayCommandService } from './commands/command-service.js';
import { ModeController } from './commands/mode-controller.js';
import { commandsWithSecretKeys } from './commands/command-keys.js';
import { defaultPrefix, topicsFor } from './mqtt/topics.js';
import { generateEd25519, loadSecrets, type Secrets } from './secrets.js';
import type { Db } from './store/database.js';
import { openGatewayStore } from './store/gateway-store.js';
import { checkDatabasePresence, markDatabaseCreated } from './store/db-presence.js';
import { DatabaseWatch } from './store/db-watch.js';
import { Journal } from './store/journal.js';
import { LinkState } from './store/link-state.js';
import { reportSigner } from './store/report-chain-format.js';
import { startCheckpoints } from './mqtt/checkpoints.js';
import { knownRosterCards } from './store/person-hashes.js';
import { rekeyRosterCards } from './store/person-rekey.js';
import { scheduleRetention } from './store/retention.js';
import { subjectHasher } from './store/subject-hash.js';
import type { PassageRecord } from './core/lane-types.js';
import { GuardRoom, type RunningHttp } from './http/guard-room.js';

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
  gate: GateState;
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
  rules: { registry: EstateRegistry; checkExitPasses: () => number; checkLists: () => void };
  stop(): Promise<void>;
}

const systemClock: Clock = { now: () => Date.now() };

/**
 * The composition root: config → secrets → store → devices → lanes → MQTT →
 * demo crowd. Everything started here is stopped in reverse order.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, log } = options;
  const clock = options.clock ?? systemClock;
  const stack: Array<() => Promise<void> | void> = [];
  const stop = async () => {
    for (const step of stack.reverse().splice(0)) {
      try {
        await step();
      } catch (error) {
        log.error({ err: (error as Error).message }, 'error during shutdown');
      }
    }
  };

  try {
    const { secrets, created, issuedApiTokens } = loadSecrets(config.secrets.path, config.secrets.generate, config.demo.crowd);
    const topics = topicsFor(config.mqtt.topicPrefix ?? defaultPrefix(config.estate.id));

    const freshDatabase = checkDatabasePresence(config.storage.path, { allowNew: options.newDatabase ?? false, log });
    const store = openGatewayStore({ path: config.storage.path, synchronous: config.storage.synchronous, log });
    stack.push(() => store.close());
    const { db, reader } = store;
    markDatabaseCreated(config.storage.path, new Date(clock.now()), freshDatabase);
    const signer = secrets.gatewayKey && reportSigner(secrets.gatewayKey);
    const journal = new Journal(db, topics, subjectHasher(Buffer.from(secrets.estateKey, 'base64url')), signer, { committer: store.writer, reader });
    rekeyRosterCards(db, journal.hashSubject, knownRosterCards(db, config.roster.cards), log);

    const gate = new GateState(trustList(config, secrets, clock), buildRoster(config.roster.cards), config.policy.replayWindowS * 1000, clock);
    // Passes granted just before a restart are still in the replay window.
    for (const { key, at } of journal.recentPasses(clock.now() - config.policy.replayWindowS * 1000)) gate.replay.remember(key, at);
    const ruleStore = new RuleStore(db, { committer: store.writer, reader });
    gate.registry = estateRegistry(config, ruleStore, journal, secrets, clock);
    const ports = createPortRegistry({ log });
    // Pushed before the devices' own stops, so it runs after them: ports close once no device uses them.
    stack.push(() => ports.stop());
    const devices = await createDevices(config.devices, { clock, log, ports });
    const guardRoom = new GuardRoom(config, devices.values(), () => journal.outbox.stats(clock.now()), log, secrets.apiTokens ?? []);
    // Lanes exist before the broker link; storage faults reach it through this late-bound reference.
    const link: { current?: MqttLink } = {};
    const storageFaults = new StorageFaultReporter((message) => publishDirect(link.current, message), topics, clock, log);
    const storage = new DatabaseWatch({ db, path: config.storage.path, log, everyMs: 2000, onFault: (error) => storageFaults.report(error, {}) });
    storage.start();
    stack.push(() => storage.stop());
    const { lanes, placement } = buildLanes(config, devices, gate, journal, clock, log, {
      onPassage: (passage, timing) => {
        gate.registry?.onPassage(passage).catch((error: Error) => log.error({ err: error.message, code: 'GW_STORAGE', passage: passage.id }, 'cannot mark the exit pass'));
        options.onPassage?.(passage);
        guardRoom.onPassage(passage, timing);
      },
      onStorageFault: (error, where) => storageFaults.report(error, where),
    });

    const hashSubject = subjectHasher(Buffer.from(secrets.estateKey, 'base64url'));
    const barriers = config.gates.flatMap((g) => g.lanes.map((l) => ({ gate: g.id, barrier: devices.get(l.devices.barrier) as Barrier })));
    const modes = new ModeController({ db, gate, barriers, journal, clock, log });
    // The persisted mode applies before any broker is contacted: a lockdown survives a restart with the network down.
    modes.restore();
    stack.push(() => modes.stop());
    const commands = new GatewayCommandService({ db, gate, modes, lanes, hashSubject: (kind, id) => hashSubject({ kind, id }), clock, log }, commandsWithSecretKeys(config.commands, secrets));
    commands.store.onAudit = (summary, at) => journal.recordAudit(summary, at);
    const mqtt = await startMqtt({ config, secrets, topics, clock, log, db, journal, gate, lanes, devices: [...devices.values()], commands });
    modes.onChange = () => {
      mqtt.publishMode();
      guardRoom.onModeChange();
    };
    link.current = mqtt;
    mqtt.connection.client.on('connect', () => void storageFaults.flush());
    reportBrokerOutages({ client: mqtt.connection.client, journal, clock, log, url: mqtt.url, state: new LinkState(db) });
    const listWatch = watchTrustList({ gate, journal, clock, log, everyMs: 60_000 });
    stack.push(listWatch.stop);
    const exitWatch = watchExitPasses({ store: ruleStore, journal, clock, log, everyMs: config.policy.exitOverdueCheckS * 1000 });
    stack.push(exitWatch.stop);
    stack.push(
      scheduleRetention({
        db,
        passageDays: config.storage.retentionDays,
        alertDays: config.storage.alertRetentionDays,
        now: () => clock.now(),
        onPurged: (counts) => log.info({ module: 'retention', ...counts }, 'expired rows purged'),
        onError: (error) => log.error({ module: 'retention', err: error.message, code: 'GW_STORAGE' }, 'retention purge failed'),
      }),
    );
    stack.push(() => mqtt.stop());
    journal.onEnqueued = () => {
      mqtt.onEnqueued();
      guardRoom.onJournal();
    };
    if (signer) stack.push(startCheckpoints({ journal, signer, topics, clock, log, everyS: config.mqtt.checkpointEveryS }).stop);

    watchDevices({ devices: [...devices.values()], placement, journal, clock, log, onChange: (device) => mqtt.publishDevice(device) });
    for (const device of devices.values()) {
      await device.start().catch((error: Error) => log.error({ device: device.id, err: error.message }, 'device failed to start'));
      stack.push(() => device.stop());
    }
    modes.refresh();
    for (const lane of lanes.values()) {
      lane.start();
      stack.push(() => lane.stop());
    }

    if (config.demo.crowd) {
      const crowd = startCrowd(config, secrets, devices, lanes, clock, log);
      stack.push(() => crowd.stop());
    }
    // Last to start, first to stop: no request reaches a part that is already stopped.
    let http: RunningHttp | undefined;
    if (config.http.enabled) {
      http = await guardRoom.listen({ db, reader, gate, lanes, devices, commands, brokerConnected: () => mqtt.connection.client.connected, storage, clock, log });
      stack.push(() => http?.stop());
    }
    log.info({ estate: config.estate.id, lanes: lanes.size, devices: devices.size, prefix: topics.prefix }, 'gateway running');
    const rules = { registry: gate.registry, checkExitPasses: exitWatch.check, checkLists: listWatch.check };
    return { config, db, reader, journal, gate, lanes, devices, mqtt, commands, modes, secrets, secretsCreated: created, rules, ...(issuedApiTokens ? { issuedApiTokens } : {}), ...(http ? { http } : {}), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The rules' registry: lists and vehicles restored from the store (commands win over config), the visitor key derived from the estate key. */
function estateRegistry(config: Readonly<Config>, store: RuleStore, journal: Journal, secrets: Secrets, clock: Clock): EstateRegistry {
  const { policy } = config;
  const estateKey = Buffer.from(secrets.estateKey, 'base64url');
  const registry = new EstateRegistry(
    store,
    journal.hashSubject,
    createHmac('sha256', estateKey).update('gatewarden visitor pass v1').digest(),
    {
      exemptRoles: policy.lockdownExemptRoles,
      antiPassback: policy.antiPassback,
      drillEnforces: policy.drillEnforces,
      suspectedCaseContacts: policy.suspectedCaseContacts,
      riskListMaxAgeMs: policy.riskListMaxAgeHours === null ? null : policy.riskListMaxAgeHours * 3_600_000,
    },
    clock,
  );
  registry.reloadLists();
  registry.setVehicles(store.list<Config['roster']['vehicles'][number]>('vehicles')?.entries ?? config.roster.vehicles);
  return registry;
}

function trustList(config: Readonly<Config>, secrets: Secrets, clock: Clock): TrustList {
  const issuers = Object.fromEntries(config.trust.issuers.map((issuer) => [issuer.kid, issuer.publicKey]));
  if (config.demo.crowd && secrets.demoIssuer) issuers[secrets.demoIssuer.kid] = secrets.demoIssuer.publicKey;
  return {
    issuers,
    refreshedAt: config.trust.refreshedAt ? Date.parse(config.trust.refreshedAt) : clock.now(),
    maxAgeMs: config.trust.maxAgeHours === null ? null : config.trust.maxAgeHours * 3_600_000,
  };
}

function buildLanes(
  config: Readonly<Config>,
  devices: ReadonlyMap<string, AnyDevice>,
  gate: GateState,
  journal: Journal,
  clock: Clock,
  log: Logger,
  hooks: Pick<LaneRunnerDeps, 'onPassage' | 'onStorageFault'>,
): { lanes: Map<string, LaneRunner>; placement: DevicePlacement } {
  const lanes = new Map<string, LaneRunner>();
  const placement = new Map<string, { gate: string; lane: string }>();
  for (const gateConfig of config.gates) {
    for (const laneConfig of gateConfig.lanes) {
      const get = <T extends AnyDevice>(id: string | undefined) => (id === undefined ? undefined : (devices.get(id) as T | undefined));
      const slots = laneConfig.devices;
      const barrier = get<Barrier>(slots.barrier) as Barrier;
      const thermometer = get<Thermometer>(slots.thermometer);
      const runner = new LaneRunner({
        setup: laneSetup(config, gateConfig, laneConfig, { hasPassageSensor: barrier.hasPassageSensor, sampleRefreshMs: thermometer?.sampleRefreshMs ?? 0 }),
        scannerDirection: laneConfig.direction === 'out' ? 'out' : 'in',
        devices: {
          scanner: get<Scanner>(slots.scanner) as Scanner,
          barrier,
          ...optional('exitScanner', get<Scanner>(slots.exitScanner)),
          ...optional('codeScanner', get<Scanner>(slots.codeScanner)),
          ...optional('thermometer', thermometer),
          ...optional('indicator', get<Indicator>(slots.indicator)),
          ...optional('announcer', get<Announcer>(slots.announcer)),
        },
        gate,
        journal,
        clock,
        log,
        ...hooks,
      });
      lanes.set(runner.id, runner);
      for (const id of Object.values(slots)) if (id !== undefined) placement.set(id, { gate: gateConfig.id, lane: laneConfig.id });
    }
  }
  return { lanes, placement };
}

function publishDirect(link: MqttLink | undefined, message: OutgoingMessage): Promise<boolean> {
  const client = link?.connection.client;
  if (!client?.connected) return Promise.resolve(false);
  return new Promise((resolve) => client.publish(message.topic, message.payload, { qos: 1, retain: message.retain }, (error) => resolve(!error)));
}

function optional<K extends string, T>(key: K, value: T | undefined): Partial<Record<K, T>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, T>);
}

function startCrowd(
  config: Readonly<Config>,
  secrets: Secrets,
  devices: ReadonlyMap<string, AnyDevice>,
  lanes: ReadonlyMap<string, LaneRunner>,
  clock: Clock,
  log: Logger,
): Crowd {
  const crowdLanes: CrowdLane[] = [];
  for (const gateConfig of config.gates) {
    for (const laneConfig of gateConfig.lanes) {
      const slots = laneConfig.devices;
      const scanner = devices.get(slots.scanner);
      const barrier = devices.get(slots.barrier);
      const runner = lanes.get(`${gateConfig.id}/${laneConfig.id}`);
      // The crowd can only walk through lanes whose devices are virtual.
      if (!(scanner instanceof VirtualScanner) || !(barrier instanceof VirtualBarrier) || !runner) continue;
      const exitScanner = slots.exitScanner ? devices.get(slots.exitScanner) : undefined;
      const thermometer = slots.thermometer ? devices.get(slots.thermometer) : undefined;
      crowdLanes.push({
        id: runner.id,
        direction: laneConfig.direction,
        isIdle: () => runner.phase === 'idle',
        scanner,
        barrier,
        ...(exitScanner instanceof VirtualScanner ? { exitScanner } : {}),
        ...(thermometer instanceof VirtualThermometer ? { thermometer } : {}),
      });
    }
  }
  const demoIssuer = secrets.demoIssuer ?? generateEd25519('demo-issuer');
  const forgerKey = generateEd25519('unknown-issuer');
  const crowd = new Crowd({
    lanes: crowdLanes,
    issuer: new PassIssuer(demoIssuer.kid, demoIssuer.privateKey),
    forger: new PassIssuer(forgerKey.kid, forgerKey.privateKey),
    cards: config.roster.cards,
    arrivalEveryMs: config.demo.arrivalEveryMs,
    seed: config.demo.seed ?? Number.parseInt(randomUUID().slice(0, 8), 16),
    clock,
    log,
  });
  crowd.start();
  return crowd;
}
