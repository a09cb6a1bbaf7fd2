import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { GatewayProcess } from '../../support/gateway/gateway-process.js';
import { SimEstate } from '../../support/sim/estate.js';
import { CommandConsole, managerSigner } from '../../support/signed-commands.js';
import { validateConfig } from '../../src/config/load-config.js';
import { encodePass } from '../helpers/health-pass-issuer.js';
import { waitFor } from '../../support/gateway/gateway-harness.js';

/**
 * The gateway as an outside tester meets it: `node dist/cli.js start` as a
 * child process, its serial devices on socat ptys with the simulators of
 * support/sim on the far ends, health passes signed by openssl, commands
 * (signed with the manager key of the generated secrets) and results over
 * MQTT. Nothing here reaches into the process.
 */

/** A health authority whose key lives only in openssl: `genpkey` once, `pkeyutl -sign -rawin` per pass. */
export class OpenSslIssuer {
  readonly publicKey: string;
  private signed = 0;

  constructor(
    private readonly dir: string,
    readonly kid: string,
  ) {
    this.openssl('genpkey', '-algorithm', 'ed25519', '-out', this.file('issuer.pem'));
    this.openssl('pkey', '-in', this.file('issuer.pem'), '-pubout', '-outform', 'DER', '-out', this.file('issuer.der'));
    // SubjectPublicKeyInfo DER of an Ed25519 key ends with the raw 32-byte key: the trust-list form.
    this.publicKey = readFileSync(this.file('issuer.der')).subarray(-32).toString('base64url');
  }

  /**
   * An `HP1:` pass: green, issued a minute ago, valid an hour, with the fields given.
   * Each pass is issued a second earlier than the one before, so no two share a payload
   * (the gate refuses a granted payload seen again as a replay).
   */
  issue(fields: Record<string, unknown>): string {
    this.signed += 1;
    const nowS = Math.floor(Date.now() / 1000);
    return this.issueText(JSON.stringify({ v: 1, kid: this.kid, col: 'green', iat: nowS - 60 - this.signed, exp: nowS + 3600, ...fields }));
  }

  /** An `HP1:` pass over this payload text exactly (one JSON.stringify would not write, say). */
  issueText(text: string): string {
    const payload = Buffer.from(text);
    writeFileSync(this.file('payload.json'), payload);
    this.openssl('pkeyutl', '-sign', '-inkey', this.file('issuer.pem'), '-rawin', '-in', this.file('payload.json'), '-out', this.file('payload.sig'));
    return encodePass(payload, readFileSync(this.file('payload.sig')));
  }

  private file(name: string): string {
    return join(this.dir, name);
  }

  private openssl(...args: string[]): void {
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  }
}

/** A message the observer received, with the local time it arrived. */
export interface Received {
  topic: string;
  body: Record<string, unknown>;
  at: number;
}

/** What a `…/passages/<gate>/<lane>` message carries (docs/mqtt.md). */
export interface PassageMessage {
  id: string;
  ts: string;
  gate: string;
  lane: string;
  verdict: 'grant' | 'deny' | 'refer';
  reasons: string[];
  credential: string;
  temperatureC: number | null;
  mode: string;
}

export interface AlertMessage {
  id: string;
  type: string;
  severity: string;
  passageId: string | null;
  reasons: string[];
  details: Record<string, unknown>;
}

export class BlackboxGateway {
  /** Passages and alerts as the read-only observer saw them, in arrival order. */
  readonly observed: Received[] = [];
  private commands = 0;

  private constructor(
    readonly dir: string,
    readonly prefix: string,
    readonly estate: SimEstate,
    private readonly process: GatewayProcess,
    private readonly observer: MqttClient,
    private readonly console: CommandConsole,
  ) {}

  /**
   * Starts the simulators behind every profile device of `config`, then the
   * gateway process on it, and connects the observer (passages, alerts) and a
   * manager's console (commands). `config.secrets.path` must be in `dir`.
   */
  static async start(dir: string, config: Record<string, unknown>, options: { walkThroughMs: number }): Promise<BlackboxGateway> {
    const configPath = join(dir, 'gateway.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    const validated = validateConfig(config, configPath);
    const estate = await SimEstate.start(validated, { walkThroughMs: options.walkThroughMs });
    const gateway = new GatewayProcess(configPath);
    try {
      await gateway.start();
    } catch (error) {
      await estate.stop();
      throw error;
    }
    const broker = validated.mqtt.broker as { port: number };
    const { mqttPasswords } = JSON.parse(readFileSync(validated.secrets.path, 'utf8')) as { mqttPasswords: Record<string, string> };
    const connect = (username: string) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { username, password: mqttPasswords[username], reconnectPeriod: 0, connectTimeout: 5000 });
    const prefix = `gatewarden/${validated.estate.id}`;
    const manager = await CommandConsole.connect({
      url: `mqtt://127.0.0.1:${broker.port}`,
      prefix,
      username: 'manager',
      password: mqttPasswords.manager,
      signer: managerSigner(validated.secrets.path),
    });
    const blackbox = new BlackboxGateway(dir, prefix, estate, gateway, await connect('observer'), manager);
    await blackbox.listen();
    return blackbox;
  }

  /**
   * A signed command over MQTT as a manager's console sends it; resolves with the reply's `data`
   * (taken from the console's own reply topic: the shared one carries none), rejects on `ok: false`.
   */
  async command(name: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.commands += 1;
    const reply = await this.console.send(name, { id: `blackbox-${this.commands}-${name}`, ...body });
    if (reply.ok !== true) throw new Error(`${name} refused: ${JSON.stringify(reply.error)}`);
    return (reply.data ?? {}) as Record<string, unknown>;
  }

  /** How many passages the observer has seen so far: the mark `passagesSince` counts from. */
  get mark(): number {
    return this.observed.length;
  }

  /** Passage messages of `gate/lane` received after `mark`. */
  passagesSince(mark: number, lane: string): Array<PassageMessage & { receivedAt: number }> {
    return this.observed
      .slice(mark)
      .filter((m) => m.topic === `${this.prefix}/passages/${lane}`)
      .map((m) => ({ ...(m.body as unknown as PassageMessage), receivedAt: m.at }));
  }

  /** The first passage of `gate/lane` after `mark`; fails after `timeoutMs`. */
  nextPassage(mark: number, lane: string, timeoutMs: number): Promise<PassageMessage & { receivedAt: number }> {
    return waitFor(() => this.passagesSince(mark, lane)[0], `a passage on ${lane}`, timeoutMs);
  }

  /** Alerts of `type` about one passage received so far. */
  alertsFor(passageId: string, type: string): AlertMessage[] {
    return this.observed
      .filter((m) => m.topic === `${this.prefix}/alerts/${type}`)
      .map((m) => m.body as unknown as AlertMessage)
      .filter((alert) => alert.passageId === passageId);
  }

  /** Resolves once the gateway reports each device online (its retained `…/devices/<id>`): its port is open. */
  async online(deviceIds: readonly string[], timeoutMs = 15_000): Promise<void> {
    const availability = (id: string) => this.observed.findLast((m) => m.topic === `${this.prefix}/devices/${id}`)?.body.availability;
    await waitFor(() => deviceIds.every((id) => availability(id) === 'online'), `devices online: ${deviceIds.join(', ')}`, timeoutMs);
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.observer.endAsync(), this.console.end()]);
    await this.process.stop();
    await this.estate.stop();
  }

  private async listen(): Promise<void> {
    this.observer.on('message', (topic, payload) => this.observed.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown>, at: Date.now() }));
    await this.observer.subscribeAsync([`${this.prefix}/passages/#`, `${this.prefix}/alerts/#`, `${this.prefix}/devices/+`], { qos: 1 });
  }
}

/** A temp dir for one black-box run; removed by the returned function. */
export function blackboxDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'gw-blackbox-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
