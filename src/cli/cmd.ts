import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { isCommandName } from '../commands/command-service.js';
import { signCommand } from '../contract/signature.js';
import { defaultPrefix } from '../contract/topics.js';
import type { Io } from './io.js';

/** Exit codes of `gatewarden cmd`: the reply said ok, it was refused (or never came), the call was wrong. */
export const CMD_EXIT = { ok: 0, refused: 1, usage: 2 } as const;

/** The options of `gatewarden cmd`, as the argument parser (program.ts) hands them over. */
export interface CmdOptions {
  key?: string | undefined;
  broker?: string | undefined;
  estate?: string | undefined;
  prefix?: string | undefined;
  user?: string | undefined;
  password?: string | undefined;
  timeoutS?: string | undefined;
  protocol?: string | undefined;
}

class UsageError extends Error {}

/**
 * `gatewarden cmd`: a manager's lockdown from a shell. The body is signed
 * with the key (Ed25519 over the canonical form, src/contract/signature.ts),
 * published at QoS 1 on `…/cmd/<name>`, and the reply awaited on the sender's
 * own reply topic `…/cmd/<name>/reply/<clientId>`: named as the MQTT 5
 * response topic, and the topic the embedded broker answers a 3.1.1 client on.
 * Returns the exit code; never throws (no stack trace reaches the shell).
 */
export async function runCmd(name: string, json: string, options: CmdOptions, io: Io): Promise<number> {
  let request: Request;
  try {
    request = parseRequest(name, json, options);
  } catch (error) {
    io.err(`gatewarden cmd: ${(error as Error).message} (see gatewarden cmd --help)`);
    return CMD_EXIT.usage;
  }
  try {
    const reply = await send(request);
    io.out(JSON.stringify(reply, null, 2));
    return reply.ok === true ? CMD_EXIT.ok : CMD_EXIT.refused;
  } catch (error) {
    io.err(`gatewarden cmd: ${(error as Error).message}`);
    return error instanceof UsageError ? CMD_EXIT.usage : CMD_EXIT.refused;
  }
}

interface Request {
  name: string;
  body: Record<string, unknown>;
  broker: string;
  prefix: string;
  username?: string;
  password?: string;
  timeoutMs: number;
  protocols: Array<4 | 5>;
}

function parseRequest(name: string, json: string, values: CmdOptions): Request {
  if (!isCommandName(name)) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
  if (!values.key || !values.broker) throw new UsageError('--key FILE and --broker URL are required');
  if (!values.prefix && !values.estate) throw new UsageError('--estate ID (or --prefix TOPIC) is required');
  const timeoutS = Number(values.timeoutS ?? '10');
  if (!Number.isFinite(timeoutS) || timeoutS <= 0 || timeoutS > 300) throw new UsageError('--timeout-s: expected a number of seconds in (0, 300]');
  const protocol = values.protocol;
  if (protocol !== undefined && protocol !== '4' && protocol !== '5') throw new UsageError('--protocol: expected 4 or 5');
  const password = values.password ?? process.env.GATEWARDEN_MQTT_PASSWORD;
  // The estate is named in what is signed: an approver's or the district's signature then holds for this estate only.
  const body = signCommand({ id: `cli-${randomUUID()}`, v: 1, ...(values.estate ? { estate: values.estate } : {}), ...jsonObject(json) }, readKey(values.key));
  return {
    name,
    body,
    broker: values.broker,
    prefix: values.prefix ?? defaultPrefix(values.estate as string),
    ...(values.user ? { username: values.user } : {}),
    ...(password ? { password } : {}),
    timeoutMs: timeoutS * 1000,
    // Without --protocol: MQTT 5 first (response topic), then 3.1.1 (the embedded broker speaks only that).
    protocols: protocol === undefined ? [5, 4] : [Number(protocol) as 4 | 5],
  };
}

function jsonObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new UsageError('the body is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError('the body must be a JSON object');
  return value as Record<string, unknown>;
}

/** A key pair file (`gatewarden keys generate`), or a secrets file holding the generated `managerKey`. */
function readKey(path: string): { kid: string; privateKey: string } {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--key ${path}: ${(error as Error).message}`);
  }
  const pair = (value.managerKey ?? value) as Record<string, unknown>;
  if (typeof pair.kid !== 'string' || typeof pair.privateKey !== 'string') throw new UsageError(`--key ${path}: expected {kid, privateKey} (gatewarden keys generate)`);
  return { kid: pair.kid, privateKey: pair.privateKey };
}

/** How long the whole reply may trail the outcome on `…/reply` before the outcome is printed alone. */
const OUTCOME_GRACE_MS = 1000;

function replyTo(id: string, payload: Buffer): Record<string, unknown> | undefined {
  try {
    const message = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    return message.id === id ? message : undefined;
  } catch {
    return undefined;
  }
}

async function send(request: Request): Promise<Record<string, unknown>> {
  const { client, protocol } = await connect(request);
  try {
    const replyTopic = `${request.prefix}/cmd/${request.name}/reply/${client.options.clientId as string}`;
    const correlationData = randomBytes(16);
    const id = request.body.id as string;
    const outcomeTopic = `${request.prefix}/cmd/${request.name}/reply`;
    const reply = new Promise<Record<string, unknown>>((resolve) => {
      client.on('message', (topic, payload) => {
        const message = replyTo(id, payload);
        if (!message) return;
        if (topic === replyTopic) resolve(message);
        // A broker that cannot tell the gateway who sent it (an external 3.1.1 broker) leaves only the outcome, without `data`.
        else if (topic === outcomeTopic) setTimeout(() => resolve(message), OUTCOME_GRACE_MS).unref();
      });
    });
    // A broker that refuses the publish closes the connection (3.1.1 has no negative PUBACK): that is a refusal,
    // not a reason to wait; and the timer runs from before the publish, so nothing pending leaves the process to exit 0.
    const closed = new Promise<never>((_resolve, reject) =>
      client.once('close', () => reject(new Error(`the broker closed the connection before a reply to ${id} (is this user allowed to send ${request.name}?)`))),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no reply to ${id} within ${request.timeoutMs / 1000} s`)), request.timeoutMs);
    });
    const exchange = (async () => {
      await client.subscribeAsync([replyTopic, outcomeTopic], { qos: 1 });
      const properties = protocol === 5 ? { properties: { responseTopic: replyTopic, correlationData } } : {};
      await client.publishAsync(`${request.prefix}/cmd/${request.name}`, JSON.stringify(request.body), { qos: 1, ...properties });
      return reply;
    })();
    try {
      return await Promise.race([exchange, closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await client.endAsync(true).catch(() => {});
  }
}

async function connect(request: Request): Promise<{ client: MqttClient; protocol: 4 | 5 }> {
  // A client id that starts with the user name: the embedded broker binds ids to users.
  const clientId = `${request.username ?? 'gatewarden'}-cmd-${randomBytes(6).toString('hex')}`;
  let last: Error | undefined;
  for (const protocol of request.protocols) {
    try {
      const client = await mqtt.connectAsync(request.broker, {
        clientId,
        protocolVersion: protocol,
        reconnectPeriod: 0,
        connectTimeout: Math.min(request.timeoutMs, 10_000),
        ...(request.username ? { username: request.username } : {}),
        ...(request.password ? { password: request.password } : {}),
      });
      return { client, protocol };
    } catch (error) {
      last = error as Error;
    }
  }
  throw new Error(`cannot connect to ${request.broker}: ${last?.message ?? 'unknown error'}`);
}
