import type { TSchema } from '@sinclair/typebox';
import { ALERT_TYPES } from '../core/alerts.js';
import { COMMAND_NAMES, CommandSchemas, type CommandName } from './command-schemas.js';
import { makeValidator, type Validator } from '../schema/validate.js';
import { AlertPayload, AuditPayload, CheckpointPayload, GapPayload, PassagePayload, StatsPayload } from './report-payloads.js';
import { DevicePayload, HealthPayload, ModePayload, StatusPayload, TopologyPayload } from './state-payloads.js';
import { ReplyPayload } from './reply-payload.js';

/**
 * The MQTT contract as data: every topic under `gatewarden/<estate>` with its
 * payload schema, QoS and retain flag. The publisher's payload types, the
 * contract tests and the generated docs (docs/asyncapi.yaml, docs/mqtt.md via
 * scripts/contract) all read this one table, so they cannot drift apart.
 */
export interface Channel {
  /** Stable key, also the AsyncAPI channel id. */
  key: string;
  /** Topic below the prefix; `{param}` stands for one topic level. */
  address: string;
  /** `gateway`: the gateway publishes it; `sender`: a guard, manager, approver or district system publishes it to the gateway. */
  from: 'gateway' | 'sender';
  qos: 0 | 1;
  retain: boolean;
  summary: string;
  schema: TSchema;
  /** Values each `{param}` may take, when they are a closed set. */
  params?: Readonly<Record<string, readonly string[]>>;
}

/** A command body as it must arrive over MQTT: the envelope's `id` is required there (the idempotency key). */
function mqttCommandSchema(name: CommandName): TSchema {
  const schema = CommandSchemas[name];
  return { ...schema, required: [...new Set(['id', ...(schema.required ?? [])])] };
}

const STATE_CHANNELS: readonly Channel[] = [
  { key: 'status', address: 'status', from: 'gateway', qos: 1, retain: true, schema: StatusPayload, summary: 'Gateway online status; the last will sets `online: false`.' },
  { key: 'mode', address: 'mode', from: 'gateway', qos: 1, retain: true, schema: ModePayload, summary: 'Current mode per scope (estate or gate): who, why, since, drill flag.' },
  {
    key: 'topology',
    address: 'topology',
    from: 'gateway',
    qos: 1,
    retain: true,
    schema: TopologyPayload,
    summary: 'The estate as configured: name and time zone, gates, lanes (direction, kind, device slots), devices (role, profile, place), and the words for every reason code, alert type, verdict and mode (zh, en). Republished on every connect, so it follows the config the gateway started with.',
  },
  { key: 'health', address: 'health', from: 'gateway', qos: 0, retain: false, schema: HealthPayload, summary: 'Periodic snapshot: devices, lanes, outbox depth and oldest-row age, broker link, trust-list age, counters.' },
  { key: 'device', address: 'devices/{device}', from: 'gateway', qos: 1, retain: true, schema: DevicePayload, summary: 'Availability and last error of one device.' },
  { key: 'passage', address: 'passages/{gate}/{lane}', from: 'gateway', qos: 1, retain: false, schema: PassagePayload, summary: 'Every lane decision, with its reason codes; no raw personal data.' },
  { key: 'alert', address: 'alerts/{type}', from: 'gateway', qos: 1, retain: false, schema: AlertPayload, params: { type: ALERT_TYPES }, summary: 'An alert; alerts are never shed from the outbox.' },
  { key: 'stats', address: 'stats', from: 'gateway', qos: 1, retain: false, schema: StatsPayload, summary: 'Periodic report: passages by verdict and alerts per gate in an interval.' },
  { key: 'audit', address: 'audit', from: 'gateway', qos: 1, retain: false, schema: AuditPayload, summary: "A summary of every command's audit row, accepted or refused; an accepted lockdown or mode command carries the mode it set. In the report chain." },
  { key: 'gap', address: 'gap', from: 'gateway', qos: 1, retain: false, schema: GapPayload, summary: 'Signed by the gateway key: reports shed from a full outbox (sequence ranges, which queue, why); cmd/resend may recover them. In the report chain.' },
  {
    key: 'checkpoint',
    address: 'checkpoint',
    from: 'gateway',
    qos: 1,
    retain: true,
    schema: CheckpointPayload,
    summary: 'The signed head of the report chain (last seq and its hash), every mqtt.checkpointEveryS; verify with the key from `gatewarden keys export-gateway` (docs/district.md). Outside the chain.',
  },
];

const COMMAND_CHANNELS: readonly Channel[] = COMMAND_NAMES.map((name) => ({
  key: `cmd-${name}`,
  address: `cmd/${name}`,
  from: 'sender',
  qos: 1,
  retain: false,
  schema: mqttCommandSchema(name),
  summary: CommandSchemas[name].description ?? name,
}));

const REPLY_CHANNEL: Channel = {
  key: 'cmd-reply',
  address: 'cmd/{name}/reply',
  from: 'gateway',
  qos: 1,
  retain: false,
  schema: ReplyPayload,
  summary:
    'The outcome of every command, accepted or refused, on the reply topic of the name it was sent to (an unknown name is answered too, with GW_COMMAND_INVALID or GW_COMMAND_UNAUTHORIZED): the reply without `data`, so no VP1 code or report is broadcast. The whole reply goes to the requester only (cmd-client-reply, or the MQTT 5 response topic with the correlation data).',
};

const CLIENT_REPLY_CHANNEL: Channel = {
  key: 'cmd-client-reply',
  address: 'cmd/{name}/reply/{client}',
  from: 'gateway',
  qos: 1,
  retain: false,
  schema: ReplyPayload,
  summary:
    'The whole reply, `data` included (a visitor pass with its VP1 code, a drill report), for the client id that sent the command only: the broker delivers it to that client alone. With MQTT 5 a sender names this topic as its response topic.',
};

export const CHANNELS: readonly Channel[] = [...STATE_CHANNELS, ...COMMAND_CHANNELS, REPLY_CHANNEL, CLIENT_REPLY_CHANNEL];

const validators = new Map<string, Validator<TSchema>>(CHANNELS.map((channel) => [channel.key, makeValidator(channel.schema)]));

/** The channel a topic belongs to, or undefined when the topic is not in the contract. */
export function channelOf(prefix: string, topic: string): Channel | undefined {
  if (!topic.startsWith(`${prefix}/`)) return undefined;
  const levels = topic.slice(prefix.length + 1).split('/');
  return CHANNELS.find((channel) => {
    const pattern = channel.address.split('/');
    return pattern.length === levels.length && pattern.every((part, i) => matchesLevel(channel, part, levels[i] as string));
  });
}

function matchesLevel(channel: Channel, part: string, level: string): boolean {
  const param = /^\{(\w+)\}$/.exec(part)?.[1];
  if (param === undefined) return part === level;
  const allowed = channel.params?.[param];
  return level.length > 0 && (allowed === undefined || allowed.includes(level));
}

/**
 * Checks one message against the contract: a known topic, the channel's retain
 * flag and QoS (when the subscriber asked for QoS 1), and a payload that is JSON and valid against the channel's schema.
 * Returns the problems, empty when the message conforms.
 */
export function checkMessage(prefix: string, message: { topic: string; payload: Buffer | string; retain?: boolean; qos?: number }): string[] {
  const channel = channelOf(prefix, message.topic);
  if (!channel) return [`${message.topic}: not a topic of the contract`];
  const problems: string[] = [];
  if (message.retain === true && !channel.retain) problems.push(`${message.topic}: retained, but ${channel.key} is never retained`);
  // A subscriber at QoS 1 receives min(publish QoS, 1) [MQTT-3.8.4-6], so it sees the publisher's QoS.
  if (message.qos !== undefined && message.qos !== channel.qos) problems.push(`${message.topic}: QoS ${message.qos}, but ${channel.key} is QoS ${channel.qos}`);
  let payload: unknown;
  try {
    payload = JSON.parse(message.payload.toString());
  } catch {
    return [...problems, `${message.topic}: payload is not JSON`];
  }
  const errors = (validators.get(channel.key) as Validator<TSchema>).check(payload);
  return [...problems, ...errors.map((error) => `${message.topic}: ${error}`)];
}
