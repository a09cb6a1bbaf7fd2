import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { signCommand } from '../src/contract/signature.js';
import { generateEd25519, type KeyPair } from '../src/secrets.js';

/**
 * Signed MQTT commands for the tests and the scripts (scenarios, benches, the
 * black-box runs): MQTT commands are signed by default (`commands.requireSignature`,
 * docs/mqtt.md "Signatures"), so every console here signs as a manager would.
 * It lives outside test/ and scripts/ so that neither imports the other for it.
 */

export type SignerRole = 'manager' | 'approver' | 'district';

/** A signing key, as `commands.keys` names it. */
export interface CommandSigner {
  kid: string;
  role: SignerRole;
  /** Raw 32-byte Ed25519 public key, base64url: the config form. */
  publicKey: string;
  /**
   * Adds `kid`, `ts` (when absent: `now`, the gateway's clock in a simulated run) and `sig`
   * (Ed25519 over the canonical JSON without `sig`, src/contract/signature.ts).
   */
  sign<T extends Record<string, unknown>>(body: T, now?: number): T & { kid: string; ts: string; sig: string };
}

/** The `commands.keys` entry that makes the gateway trust `signer`. */
export function trustedKey(signer: CommandSigner): { kid: string; publicKey: string; role: SignerRole } {
  return { kid: signer.kid, publicKey: signer.publicKey, role: signer.role };
}

export function signerOf(pair: KeyPair, role: SignerRole = 'manager'): CommandSigner {
  return {
    kid: pair.kid,
    role,
    publicKey: pair.publicKey,
    sign: <T extends Record<string, unknown>>(body: T, now?: number) => signCommand(body, pair, now) as T & { kid: string; ts: string; sig: string },
  };
}

/** A fresh key pair: put `trustedKey(signer)` into the config's `commands.keys`. */
export function createCommandSigner(kid: string, role: SignerRole = 'manager'): CommandSigner {
  return signerOf(generateEd25519(kid), role);
}

/** The manager key the gateway generated with its secrets (kid `demo-manager`), which it trusts. */
export function managerSigner(secrets: string | { managerKey?: KeyPair }): CommandSigner {
  const loaded = typeof secrets === 'string' ? (JSON.parse(readFileSync(secrets, 'utf8')) as { managerKey?: KeyPair }) : secrets;
  if (!loaded.managerKey) throw new Error('the secrets hold no managerKey (generated with the secrets since issue 12)');
  return signerOf(loaded.managerKey);
}

/** The whole reply to a command, as its sender gets it (docs/mqtt.md "Replies"). */
export interface CommandReply {
  id: string;
  ok: boolean;
  error?: { code: string; message: string; details?: string[] };
  data?: unknown;
  warnings?: unknown[];
}

export interface ConsoleOptions {
  /** Broker URL, e.g. the embedded broker's `gateway.mqtt.url`. */
  url: string;
  prefix: string;
  username: string;
  password: string | undefined;
  signer: CommandSigner;
  /** The estate the commands are for, named in every body: an approver's or the district's signature must bind it. */
  estate?: string;
  /** The clock the `ts` is taken from: the gateway's, when a run simulates time. */
  now?: () => number;
  /** How long `send` waits for the reply. */
  timeoutMs?: number;
  mqtt?: IClientOptions;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * A manager's (or the approver's) console: signs each command, publishes it at
 * QoS 1 on `…/cmd/<name>`, and takes the whole reply, `data` included (a
 * visitor's VP1 code), from its own reply topic `…/cmd/<name>/reply/<clientId>`.
 * The embedded broker speaks MQTT 3.1.1 and delivers that topic to the client
 * with that id only; the id starts with the user name, as the broker requires.
 * Replies are taken on arrival, not polled (the lockdown bench times them).
 */
export class CommandConsole {
  private readonly waiting = new Map<string, (reply: CommandReply) => void>();
  private sent = 0;

  private constructor(
    readonly client: MqttClient,
    readonly clientId: string,
    private readonly options: ConsoleOptions,
  ) {
    client.on('message', (topic, payload) => {
      if (!topic.startsWith(`${options.prefix}/cmd/`) || !topic.endsWith(`/reply/${clientId}`)) return;
      const reply = JSON.parse(payload.toString('utf8')) as CommandReply;
      this.waiting.get(reply.id)?.(reply);
    });
  }

  static async connect(options: ConsoleOptions): Promise<CommandConsole> {
    const clientId = `${options.username}-console-${randomBytes(4).toString('hex')}`;
    const client = await mqtt.connectAsync(options.url, {
      username: options.username,
      ...(options.password === undefined ? {} : { password: options.password }),
      clientId,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...options.mqtt,
    });
    // As the gateway does (src/mqtt/connection.ts): no Nagle delay on small packets (40 ms per reply otherwise).
    (client.stream as { setNoDelay?: (noDelay: boolean) => void }).setNoDelay?.(true);
    const console_ = new CommandConsole(client, clientId, options);
    await client.subscribeAsync(`${options.prefix}/cmd/+/reply/${clientId}`, { qos: 1 });
    return console_;
  }

  /** The body as it goes out: `v: 1` and the console's estate unless given, signed now (by the console's clock). */
  sign(body: Record<string, unknown>): Record<string, unknown> {
    const { estate } = this.options;
    return this.options.signer.sign({ v: 1, ...(estate === undefined ? {} : { estate }), ...body }, this.options.now?.());
  }

  /** Signs and sends a command; resolves with the whole reply, or rejects when none comes in time. */
  async send(name: string, body: Record<string, unknown>): Promise<CommandReply> {
    this.sent += 1;
    const id = typeof body.id === 'string' ? body.id : `${this.clientId}-${this.sent}`;
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const reply = new Promise<CommandReply>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no reply to ${name} ${id} within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.set(id, resolve);
    });
    try {
      const [, answered] = await Promise.all([this.client.publishAsync(`${this.options.prefix}/cmd/${name}`, JSON.stringify(this.sign({ ...body, id })), { qos: 1 }), reply]);
      return answered;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(id);
    }
  }

  async end(): Promise<void> {
    await this.client.endAsync();
  }
}
