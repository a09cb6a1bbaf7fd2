import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { unreadablePayload } from '../commands/audit-redaction.js';
import { parseCommandPayload } from '../commands/command-payload.js';
import type { GatewayCommandService } from '../commands/command-service.js';
import { isCommandName } from '../commands/command-service.js';
import type { CommandActor, CommandReply } from '../commands/types.js';
import { PAYLOAD_VERSION } from '../contract/payload-version.js';
import type { ReplyMessage } from '../contract/reply-payload.js';
import { isTopicLevel, type Topics } from '../contract/topics.js';
import { Code } from '../errors.js';

/** A command as it arrived over MQTT, from whichever broker. */
export interface IncomingCommand {
  name: string;
  payload: Buffer;
  retain: boolean;
  actor: CommandActor;
  /** Set when the broker's ACL refused the publish (embedded broker only). */
  refusedByBroker?: boolean;
  /** MQTT 5 request/response ([MQTT-5: 4.10]): where and with what correlation data to answer. */
  responseTopic?: string;
  correlationData?: Buffer;
  /** The sender's client id, when the broker tells it (embedded broker): its private reply topic. */
  clientId?: string;
}

export type ReplySink = (topic: string, payload: string, correlationData?: Buffer) => void;

/**
 * Turns MQTT publishes on `…/cmd/<name>` into CommandService calls. The whole
 * reply goes to the requester only: the MQTT 5 response topic with its
 * correlation data when given, else `…/cmd/<name>/reply/<clientId>`, which
 * the broker's ACL delivers to that client alone. `…/cmd/<name>/reply` gets
 * the outcome without `data`, so a visitor's VP1 code is never broadcast.
 * What the service cannot see (a retained flag, bytes that are not bounded
 * UTF-8 JSON, a broker refusal) is refused here, with the same audit row and
 * error reply.
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
    // Bounded before JSON.parse: size, nesting depth, strict UTF-8 (command-payload.ts).
    const parsed = parseCommandPayload(command.payload, service.payloadLimits);
    const body = parsed.ok ? parsed.body : undefined;
    const id = idOf(body) ?? `unidentified-${randomUUID()}`;
    const base = { id, name: command.name, body: body ?? unreadablePayload(command.payload), actor: command.actor, receivedAt };
    let reply: CommandReply;
    if (command.refusedByBroker) reply = service.refuse(base, 'GW_COMMAND_UNAUTHORIZED', `role ${command.actor.role} may not publish ${command.name} (broker ACL or payload size)`);
    else if (command.retain) reply = service.refuse(base, 'GW_COMMAND_RETAINED', 'commands must not be retained');
    else if (!parsed.ok) reply = service.refuse(base, 'GW_COMMAND_INVALID', parsed.message, parsed.details);
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
    const { topics, clock } = this.deps;
    const envelope = { ts: new Date(clock.now()).toISOString(), v: PAYLOAD_VERSION as typeof PAYLOAD_VERSION };
    const { data: _data, ...outcome } = reply;
    const whole: ReplyMessage = { ...reply, ...envelope };
    const { name } = command;
    try {
      this.deps.reply(topics.reply(name), JSON.stringify({ ...outcome, ...envelope } satisfies ReplyMessage));
      if (command.responseTopic) this.deps.reply(command.responseTopic, JSON.stringify(whole), command.correlationData);
      else if (command.clientId !== undefined && isTopicLevel(command.clientId)) this.deps.reply(topics.clientReply(name, command.clientId), JSON.stringify(whole));
    } catch (error) {
      // The command stays applied and audited; a sender without a reply retries with the same id.
      this.log.warn({ err: (error as Error).message, code: Code.GW_MQTT, id: reply.id }, 'cannot publish the command reply');
    }
  }
}

function idOf(body: Record<string, unknown> | undefined): string | undefined {
  const id = body?.id;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : undefined;
}
