import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Config } from '../config/schema.js';
import type { GatewayCommandService } from '../commands/command-service.js';
import type { AnyDevice } from '../drivers/device.js';
import type { GateState } from '../lane/gate-state.js';
import type { LaneRunner } from '../lane/lane-runner.js';
import type { Secrets } from '../secrets.js';
import type { Db } from '../store/database.js';
import type { Journal } from '../store/journal.js';
import { VERSION } from '../version.js';
import { aclFor } from './acl.js';
import { brokerUsers } from './broker-users.js';
import { MqttCommandHandler, type IncomingCommand } from './command-handler.js';
import { brokerNodes, openConnection, type Connection } from './connection.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
import { OutboxGuard } from './outbox-guard.js';
import { OutboxPublisher } from './outbox-publisher.js';
import { PAYLOAD_VERSION, type DeviceMessage, type ModeMessage } from './payloads.js';
import { healthMessage, publishStats } from './reports.js';
import { homeAssistantDiscovery } from './home-assistant.js';
import { topologyMessage } from './messages.js';
import { describeTopology } from './topology.js';
import type { Topics } from './topics.js';
import { startUplink, type Uplink } from './uplink.js';

export interface MqttLinkOptions {
  config: Readonly<Config>;
  secrets: Secrets;
  topics: Topics;
  clock: Clock;
  log: Logger;
  db: Db;
  journal: Journal;
  gate: GateState;
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
  const { config, secrets, topics, clock, log, gate } = options;
  const brokerConfig = config.mqtt.broker;
  const acl = aclFor(topics.prefix, config.mqtt.homeAssistant.enabled ? config.mqtt.homeAssistant.prefix : undefined);
  const late: { handler?: MqttCommandHandler } = {};
  const handle = (command: IncomingCommand) => {
    late.handler?.handle(command).catch((error: Error) => log.error({ err: error.message, code: 'GW_MQTT' }, 'command handling failed'));
  };

  const clientId = config.mqtt.clientId ?? `gatewarden-${config.estate.id}`;
  let broker: EmbeddedBroker | undefined;
  let urls: readonly string[];
  let username: string | undefined;
  let password: string | undefined;
  if (brokerConfig.type === 'embedded') {
    broker = await startEmbeddedBroker({
      config: brokerConfig,
      users: await brokerUsers(brokerConfig, secrets),
      acl,
      log,
      gatewayClientIds: [clientId],
      gatewayInProcess: true,
      // The embedded broker knows who sent each command: the actor is the logged-in user and its role.
      onCommand: (c) => handle({ name: c.name, payload: c.payload, retain: c.retain, clientId: c.clientId, actor: { via: 'mqtt', principal: c.username, role: c.role }, refusedByBroker: !c.allowed }),
    });
    urls = [broker.url];
    username = 'gateway';
    password = secrets.mqttPasswords.gateway;
  } else {
    urls = brokerNodes(brokerConfig.url);
    username = brokerConfig.username;
    password = brokerConfig.passwordSecret ? secrets.mqttPasswords[brokerConfig.passwordSecret] : undefined;
  }
  const url = urls[0] as string;
  const external = brokerConfig.type === 'external' ? brokerConfig : undefined;
  const connection = openConnection({
    url: urls,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    clientId,
    topics,
    version: VERSION,
    mode: () => gate.mode,
    log,
    protocolVersion: external?.protocolVersion ?? 4,
    ...(external ? { tls: { caFile: external.caFile, certFile: external.certFile, keyFile: external.keyFile }, clean: external.cleanSession ?? false } : {}),
    // In-process to the embedded broker: it works with the plain listener off, and no LAN host shares the gateway's address.
    ...(broker ? { stream: broker.connectLocal } : {}),
  });
  const { client } = connection;
  const outboxConfig = config.mqtt.outbox;
  const publisher = new OutboxPublisher({ outbox: options.journal.outbox, client, log: log.child({ module: 'outbox' }), window: outboxConfig.window, ackFlushMs: 25 });
  const guard = new OutboxGuard({ db: options.db, outbox: options.journal.outbox, journal: options.journal, maxRows: outboxConfig.maxRows, clock, log: log.child({ module: 'outbox' }) });
  const uplink = config.mqtt.uplink
    ? startUplink({ config: config.mqtt.uplink, db: options.db, journal: options.journal, secrets, topics, clock, log, mode: () => gate.mode, clientId, maxRows: outboxConfig.maxRows, window: outboxConfig.window })
    : undefined;

  const handler = new MqttCommandHandler({
    service: options.commands,
    topics,
    clock,
    log,
    reply: (topic, payload, correlationData) => client.publish(topic, payload, { qos: 1, ...(correlationData ? { properties: { correlationData } } : {}) }),
  });
  late.handler = handler;
  if (external) subscribeCommands(connection, topics, acl.commandName, { principal: external.username ?? 'external-broker', role: external.commandRole ?? 'manager' }, handle);

  const publishRetained = (topic: string, payload: object) => {
    if (client.connected) client.publish(topic, JSON.stringify(payload), { qos: 1, retain: true });
  };
  const envelope = () => ({ id: randomUUID(), ts: new Date(clock.now()).toISOString(), v: PAYLOAD_VERSION as typeof PAYLOAD_VERSION });
  const publishDevice = (device: AnyDevice) => {
    const status = device.status();
    const payload: DeviceMessage = {
      ...envelope(),
      device: device.id,
      role: device.role,
      availability: status.availability,
      since: new Date(status.since).toISOString(),
      lastError: status.lastError ? { code: status.lastError.code, message: status.lastError.message, at: new Date(status.lastError.at).toISOString() } : null,
    };
    publishRetained(topics.device(device.id), payload);
  };
  const publishMode = () => {
    const scopes = [...gate.activeModes()].map(([scope, m]) => ({
      scope,
      mode: m.mode,
      reason: m.reason,
      by: m.by,
      since: new Date(m.since).toISOString(),
      expiresAt: m.expiresAt === null ? null : new Date(m.expiresAt).toISOString(),
      drill: m.drill,
    }));
    const payload: ModeMessage = { ...envelope(), mode: gate.mode, scopes };
    publishRetained(topics.mode, payload);
  };
  const publishModeAndStatus = () => {
    publishMode();
    connection.publishStatus();
  };
  // Retained state is republished on every connect, so a restarted broker never serves stale or missing state.
  client.on('connect', () => {
    publishMode();
    options.devices.forEach(publishDevice);
    // The config is frozen for the process's life: each start (and reconnect) retains the topology it runs.
    for (const message of [topologyMessage(topics, randomUUID(), clock.now(), describeTopology(config)), ...homeAssistantDiscovery(config, topics)]) {
      client.publish(message.topic, message.payload, { qos: message.qos, retain: message.retain });
    }
  });

  const startedAt = clock.now();
  const healthTimer = setInterval(() => {
    try {
      const payload = JSON.stringify(
        healthMessage({
          gate,
          lanes: options.lanes,
          devices: options.devices,
          outbox: options.journal.outbox,
          maxRows: outboxConfig.maxRows,
          shed: () => guard.shed,
          broker: { url: connection.node() ?? url, connected: () => client.connected },
          uplink: uplink && { connected: () => uplink.connection.client.connected, outbox: uplink.outbox },
          counters: () => ({ published: publisher.published, commands: handler.accepted, commandsRefused: handler.refused }),
          startedAt,
          clock,
        }),
      );
      for (const c of [client, uplink?.connection.client]) if (c?.connected) c.publish(topics.health, payload, { qos: 0, retain: false });
      guard.check();
      uplink?.guard.check();
    } catch (error) {
      log.error({ err: (error as Error).message, code: 'GW_STORAGE' }, 'cannot build the health report');
    }
  }, config.mqtt.healthIntervalS * 1000);
  healthTimer.unref();

  let statsFrom = startedAt;
  const statsTimer = setInterval(() => {
    const to = clock.now();
    try {
      publishStats(options.db, options.journal.outbox, topics, statsFrom, to);
      statsFrom = to;
      onEnqueued();
    } catch (error) {
      log.error({ err: (error as Error).message, code: 'GW_STORAGE' }, 'cannot write the stats report');
    }
  }, config.mqtt.statsIntervalS * 1000);
  statsTimer.unref();

  // The bound is checked at most every 500 ms: a count(*) per passage would cost more than the bound saves.
  let lastCheck = 0;
  const onEnqueued = () => {
    const now = clock.now();
    if (now - lastCheck >= 500) {
      lastCheck = now;
      guard.check();
      uplink?.guard.check();
    }
    publisher.kick();
    uplink?.publisher.kick();
  };

  return {
    topics,
    url,
    urls,
    ...(broker ? { broker } : {}),
    connection,
    publisher,
    guard,
    commands: handler,
    ...(uplink ? { uplink } : {}),
    publishDevice,
    publishMode: publishModeAndStatus,
    onEnqueued,
    async stop() {
      clearInterval(healthTimer);
      clearInterval(statsTimer);
      await uplink?.stop();
      await publisher.stop(2000);
      await connection.stop();
      await broker?.stop();
    },
  };
}

/**
 * On an external broker the gateway subscribes to `…/cmd/+` itself. With MQTT 5
 * it asks for Retain As Published ([MQTT-3.8.3.1], rap) so a retained command
 * is recognised even when it arrives live; on 3.1.1 the broker clears the flag
 * on live delivery ([MQTT-3.3.1-9]) and only a stored one can be recognised.
 */
function subscribeCommands(
  connection: Connection,
  topics: Topics,
  commandName: (topic: string) => string | undefined,
  actor: { principal: string; role: 'guard' | 'manager' | 'district' | 'observer' },
  handle: (command: IncomingCommand) => void,
): void {
  const { client } = connection;
  client.on('connect', () => client.subscribe(topics.command('+'), { qos: 1, rap: true }));
  client.on('message', (topic, payload, packet) => {
    const name = commandName(topic);
    if (name === undefined) return;
    const responseTopic = packet.properties?.responseTopic;
    const correlationData = packet.properties?.correlationData;
    handle({
      name,
      payload,
      retain: packet.retain,
      actor: { via: 'mqtt', ...actor },
      ...(responseTopic ? { responseTopic } : {}),
      ...(correlationData ? { correlationData } : {}),
    });
  });
}
