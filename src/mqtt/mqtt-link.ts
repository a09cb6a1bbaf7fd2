import type { Logger } from 'pino';
import type { BrokerPasswords, MqttConfig } from './config-schema.js';
import type { Clock } from '../core/clock.js';
import type { EstateLayout } from '../estate/layout-schema.js';
import type { GatewayCommandService } from '../commands/command-service.js';
import type { AnyDevice } from '../drivers/device.js';
import type { EstateState } from '../estate/estate-state.js';
import type { LaneRunner } from '../lane/lane-runner.js';
import type { Db } from '../store/database.js';
import type { Journal } from '../store/journal.js';
import { VERSION } from '../version.js';
import { EventBus } from '../event-bus.js';
import { aclFor } from './acl.js';
import { reachBroker, subscribeCommands, type BrokerAccess } from './broker-access.js';
import { MqttCommandHandler, type IncomingCommand } from './command-handler.js';
import { openConnection, type Connection } from './connection.js';
import type { EmbeddedBroker } from './embedded-broker.js';
import { OutboxGuard } from './outbox-guard.js';
import { OutboxPublisher } from './outbox-publisher.js';
import { startReports, type ReportTimers } from './reports.js';
import { retainedState } from './retained-state.js';
import type { Topics } from '../contract/topics.js';
import { startUplink, type Uplink } from './uplink.js';

export interface MqttLinkOptions {
  config: EstateLayout & { readonly mqtt: MqttConfig };
  secrets: BrokerPasswords;
  topics: Topics;
  clock: Clock;
  log: Logger;
  db: Db;
  journal: Journal;
  estate: EstateState;
  lanes: ReadonlyMap<string, LaneRunner>;
  devices: readonly AnyDevice[];
  commands: GatewayCommandService;
}

export interface MqttLink {
  topics: Topics;
  /** `mqtt://host:port` the gateway publishes to (of a cluster, the first node listed). */
  url: string;
  /** Every node the gateway may publish to: one, or a cluster's. */
  urls: readonly string[];
  broker?: EmbeddedBroker;
  connection: Connection;
  publisher: OutboxPublisher;
  guard: OutboxGuard;
  commands: MqttCommandHandler;
  uplink?: Uplink;
  publishDevice(device: AnyDevice): void;
  /** Publishes the retained `…/mode` and `…/status` (which carries the estate mode); called on every mode change. */
  publishMode(): void;
  /** Call after enqueueing: checks the bound and wakes the publishers. */
  onEnqueued(): void;
  stop(): Promise<void>;
}

/** Brings up the MQTT side: broker (embedded or external), the gateway's session, commands, outbox drain, reports, uplink. */
export async function startMqtt(options: MqttLinkOptions): Promise<MqttLink> {
  const { config, secrets, topics, clock, log, estate, journal, db } = options;
  const acl = aclFor(topics.prefix, config.mqtt.homeAssistant.enabled ? config.mqtt.homeAssistant.prefix : undefined);
  const clientId = config.mqtt.clientId ?? `gatewarden-${config.estate.id}`;
  // The broker comes before the session and the session before the handler (it replies through the session):
  // commands reach the handler through this inbox, which it listens on once it exists.
  const inbox = new EventBus<{ command: IncomingCommand }>(log);
  const receive = (command: IncomingCommand) => inbox.emit('command', command);
  const access = await reachBroker(config.mqtt.broker, { secrets, acl, clientId, log, onCommand: receive });
  const connection = openSession(options, access, clientId);
  const { client } = connection;
  const { maxRows, window } = config.mqtt.outbox;
  const publisher = new OutboxPublisher({ outbox: journal.outbox, client, log: log.child({ module: 'outbox' }), window, ackFlushMs: 25 });
  const guard = new OutboxGuard({ db, outbox: journal.outbox, journal, maxRows, clock, log: log.child({ module: 'outbox' }) });
  const uplink = config.mqtt.uplink ? startUplink({ config: config.mqtt.uplink, db, journal, secrets, topics, clock, log, mode: () => estate.mode, clientId, maxRows, window }) : undefined;
  const reply = (topic: string, payload: string, correlationData?: Buffer) => client.publish(topic, payload, { qos: 1, ...(correlationData ? { properties: { correlationData } } : {}) });
  const handler = new MqttCommandHandler({ service: options.commands, topics, clock, log, reply });
  inbox.on('command', (command) => {
    handler.handle(command).catch((error: Error) => log.error({ err: error.message, code: 'GW_MQTT' }, 'command handling failed'));
  });
  const { external } = access;
  if (external) subscribeCommands(connection, topics, acl.commandName, { principal: external.username ?? 'external-broker', role: external.commandRole ?? 'manager' }, receive, log);
  const retained = retainedState({ config, connection, topics, estate, devices: options.devices, clock });
  const checkBounds = () => {
    guard.check();
    uplink?.guard.check();
  };
  const onEnqueued = wakePublishers(clock, checkBounds, [publisher, uplink?.publisher]);
  const url = access.urls[0] as string;
  const reports = startLinkReports(options, { connection, url, publisher, guard, handler, uplink, checkBounds, onEnqueued });
  const { broker } = access;
  return {
    topics,
    url,
    urls: access.urls,
    connection,
    publisher,
    guard,
    commands: handler,
    publishDevice: retained.publishDevice,
    publishMode: retained.publishModeAndStatus,
    onEnqueued,
    ...(broker ? { broker } : {}),
    ...(uplink ? { uplink } : {}),
    async stop() {
      reports.stop();
      await uplink?.stop();
      await publisher.stop(2000);
      await connection.stop();
      await broker?.stop();
    },
  };
}

/** The gateway's own session: in-process to the embedded broker, or to the external one (a cluster's nodes in turn). */
function openSession({ topics, log, estate }: MqttLinkOptions, { broker, urls, username, password, external }: BrokerAccess, clientId: string): Connection {
  return openConnection({
    url: urls,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    clientId,
    topics,
    version: VERSION,
    mode: () => estate.mode,
    log,
    protocolVersion: external?.protocolVersion ?? 4,
    ...(external ? { tls: { caFile: external.caFile, certFile: external.certFile, keyFile: external.keyFile }, clean: external.cleanSession ?? false } : {}),
    // In-process to the embedded broker: it works with the plain listener off, and no LAN host shares the gateway's address.
    ...(broker ? { stream: broker.connectLocal } : {}),
  });
}

/** The link's `…/health` and `…/stats` timers (reports.ts), on what the link runs. */
function startLinkReports(
  { config, db, journal, topics, estate, lanes, devices, clock, log }: MqttLinkOptions,
  link: { connection: Connection; url: string; publisher: OutboxPublisher; guard: OutboxGuard; handler: MqttCommandHandler; uplink: Uplink | undefined; checkBounds: () => void; onEnqueued: () => void },
): ReportTimers {
  const { connection, publisher, guard, handler, uplink } = link;
  const { client } = connection;
  return startReports({
    health: () => ({
      estate,
      lanes,
      devices,
      outbox: journal.outbox,
      maxRows: config.mqtt.outbox.maxRows,
      shed: () => guard.shed,
      broker: { url: connection.node() ?? link.url, connected: () => client.connected },
      uplink: uplink && { connected: () => uplink.connection.client.connected, outbox: uplink.outbox },
      counters: () => ({ published: publisher.published, commands: handler.accepted, commandsRefused: handler.refused }),
    }),
    sessions: () => [client, uplink?.connection.client],
    checkBounds: link.checkBounds,
    db,
    outbox: journal.outbox,
    topics,
    onQueued: link.onEnqueued,
    everyS: { health: config.mqtt.healthIntervalS, stats: config.mqtt.statsIntervalS },
    clock,
    log,
  });
}

/** How long the publishers gather committed rows before reading them (OutboxPublisher.kick). */
const GATHER_MS = 20;

/**
 * What to call after enqueueing: wakes the publishers, and checks the outbox
 * bounds at most every 500 ms (a count(*) per passage would cost more than the bound saves).
 */
function wakePublishers(clock: Clock, checkBounds: () => void, publishers: ReadonlyArray<OutboxPublisher | undefined>): () => void {
  let lastCheck = 0;
  return () => {
    const now = clock.now();
    if (now - lastCheck >= 500) {
      lastCheck = now;
      checkBounds();
    }
    for (const publisher of publishers) publisher?.kick(GATHER_MS);
  };
}
