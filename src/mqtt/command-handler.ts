import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { GatewayCommandService } from '../commands/command-service.js';
import { isCommandName } from '../commands/command-service.js';
import type { CommandActor, CommandReply } from '../commands/types.js';
import { PAYLOAD_VERSION, type ReplyMessage } from './payloads.js';
import type { Topics } from './topics.js';

/** A command as it arrived over MQTT, from whichever broker. */
export interface IncomingCommand {
  name: string;
  payload: Buffer;
  retain: boolean;
  actor: CommandActor;
  /** Set when the broker's ACL refused the publish (embedded broker only). */
  refusedByBroker?: boolean;
  /** MQTT 5 request/response ([MQTT-5: 4.10]): where and with what correlation data to answer as well. */
  responseTopic?: string;
  correlationData?: Buffer;
}

export type ReplySink = (topic: string, payload: string, correlationData?: Buffer) => void;

/**
 * Turns MQTT publishes on `…/cmd/<name>` into CommandService calls and answers
 * on `…/cmd/<name>/reply` (and the MQTT 5 response topic when given). What the
 * service cannot see (a retained flag, bytes that are not JSON, a broker
 * refusal) is refused here, with the same audit row and error reply.
 */
export class MqttCommandHandler {
  private readonly log: Logger;
  accepted = 0;
  refused = 0;

  constructor(
    private readonly deps: { service: GatewayCommandService; topics: Topics; clock: Clock; log: Logger; reply: ReplySink },
  ) {
    this.log = deps.log.child({ module: 'mqtt-commands' });
  }

  async handle(command: IncomingCommand): Promise<CommandReply> {
    const { service, clock } = this.deps;
    const receivedAt = clock.now();
    const body = parse(command.payload);
    const id = idOf(body) ?? `unidentified-${randomUUID()}`;
    const base = { id, name: command.name, body: body === undefined ? command.payload.toString('utf8').slice(0, 4096) : body, actor: command.actor, receivedAt };
    let reply: CommandReply;
    if (command.refusedByBroker) reply = service.refuse(base, 'GW_COMMAND_UNAUTHORIZED', `role ${command.actor.role} may not publish ${command.name} (broker ACL or payload size)`);
    else if (command.retain) reply = service.refuse(base, 'GW_COMMAND_RETAINED', 'commands must not be retained');
    else if (body === undefined) reply = service.refuse(base, 'GW_COMMAND_INVALID', 'payload is not a JSON object');
    else if (idOf(body) === undefined) reply = service.refuse(base, 'GW_COMMAND_INVALID', 'command has no id', ['id: required key is missing']);
    else if (!isCommandName(command.name)) reply = service.refuse(base, 'GW_COMMAND_INVALID', `unknown command ${JSON.stringify(command.name)}`);
    else reply = await service.execute({ ...base, name: command.name });
    if (reply.ok) this.accepted += 1;
    else {
      this.refused += 1;
      this.log.warn({ command: command.name, id, actor: command.actor, error: reply.error?.code }, 'command refused');
    }
    this.send(command, reply);
    return reply;
  }

  private send(command: IncomingCommand, reply: CommandReply): void {
    const message: ReplyMessage = { ...reply, ts: new Date(this.deps.clock.now()).toISOString(), v: PAYLOAD_VERSION };
    const payload = JSON.stringify(message);
    try {
      this.deps.reply(this.deps.topics.reply(command.name), payload);
      if (command.responseTopic) this.deps.reply(command.responseTopic, payload, command.correlationData);
    } catch (error) {
      // The command stays applied and audited; a sender without a reply retries with the same id.
      this.log.warn({ err: (error as Error).message, code: 'GW_MQTT', id: reply.id }, 'cannot publish the command reply');
    }
  }
}

function parse(payload: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function idOf(body: Record<string, unknown> | undefined): string | undefined {
  const id = body?.id;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : undefined;
}
