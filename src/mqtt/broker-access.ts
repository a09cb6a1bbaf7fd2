import type { Logger } from 'pino';
import type { Acl } from './acl.js';
import { brokerUsers } from './broker-users.js';
import type { IncomingCommand } from './command-handler.js';
import type { ExternalBrokerConfig, MqttConfig, BrokerPasswords } from './config-schema.js';
import { brokerNodes } from './broker-dial.js';
import type { Connection } from './connection.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './embedded-broker.js';
import type { Topics } from '../contract/topics.js';
import { Code } from '../errors.js';

/** Where the gateway's session goes and as whom; with the embedded broker, the broker itself. */
export interface BrokerAccess {
  broker?: EmbeddedBroker;
  /** Every node the gateway may publish to: one, or a cluster's. */
  urls: readonly string[];
  username?: string;
  password?: string;
  /** The external broker's settings (TLS, protocol, session, command actor); absent with the embedded one. */
  external?: ExternalBrokerConfig;
}

/**
 * Starts the embedded broker, or reads where the external one is. The
 * embedded broker hands over every command it sees with the sender's user and
 * role (`onCommand`); on an external broker the gateway subscribes itself
 * (subscribeCommands).
 */
export async function reachBroker(
  config: MqttConfig['broker'],
  options: { secrets: BrokerPasswords; acl: Acl; clientId: string; log: Logger; onCommand: (command: IncomingCommand) => void },
): Promise<BrokerAccess> {
  const { secrets } = options;
  if (config.type === 'external') {
    const password = config.passwordSecret ? secrets.mqttPasswords[config.passwordSecret] : undefined;
    return { urls: brokerNodes(config.url), ...(config.username ? { username: config.username } : {}), ...(password ? { password } : {}), external: config };
  }
  const broker = await startEmbeddedBroker({
    config,
    users: await brokerUsers(config, secrets),
    acl: options.acl,
    log: options.log,
    gatewayClientIds: [options.clientId],
    gatewayInProcess: true,
    // The embedded broker knows who sent each command: the actor is the logged-in user and its role.
    onCommand: (c) => options.onCommand({ name: c.name, payload: c.payload, retain: c.retain, clientId: c.clientId, actor: { via: 'mqtt', principal: c.username, role: c.role }, refusedByBroker: !c.allowed }),
  });
  return { broker, urls: [broker.url], username: 'gateway', ...(secrets.mqttPasswords.gateway ? { password: secrets.mqttPasswords.gateway } : {}) };
}

/**
 * On an external broker the gateway subscribes to `…/cmd/+` itself. With MQTT 5
 * it asks for Retain As Published ([MQTT-3.8.3.1], rap) so a retained command
 * is recognised even when it arrives live; on 3.1.1 the broker clears the flag
 * on live delivery ([MQTT-3.3.1-9]) and only a stored one can be recognised.
 */
/** How long after a refused command subscription it is asked for again. */
const COMMAND_SUBSCRIBE_RETRY_MS = 5000;

export function subscribeCommands(
  connection: Connection,
  topics: Topics,
  commandName: (topic: string) => string | undefined,
  actor: { principal: string; role: 'guard' | 'manager' | 'district' | 'observer' },
  handle: (command: IncomingCommand) => void,
  log: Logger,
): void {
  const { client } = connection;
  // A refused SUBACK (nats-server answers 0x80 when it cannot make the JetStream consumer in time, under load) is asked
  // for again while connected: otherwise no command, a district's cmd/resend included, reaches the gateway until it reconnects.
  const subscribe = () =>
    client.subscribe(topics.command('+'), { qos: 1, rap: true }, (error, granted) => {
      if (!error && !(granted ?? []).some((grant) => grant.qos === 128)) return;
      log.warn({ err: error?.message ?? 'SUBACK 0x80', code: Code.GW_MQTT }, 'command subscription refused; trying again');
      setTimeout(() => client.connected && subscribe(), COMMAND_SUBSCRIBE_RETRY_MS).unref();
    });
  client.on('connect', subscribe);
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
