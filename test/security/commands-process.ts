import { readIssuedTokens } from '../../src/issued-tokens.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { harnessConfig, waitFor } from '../../support/gateway/gateway-harness.js';

/** One message as an attacker's or a manager's client saw it. */
export interface Seen {
  topic: string;
  text: string;
  correlationData?: Buffer;
}

export interface AuditRow {
  id: string;
  name: string;
  via: string;
  principal: string;
  ok: number;
  code: string | null;
  body: string;
  reply: string;
}

/**
 * `node dist/cli.js start` (build first) on the harness estate with the HTTP
 * API on, reached only through its ports; the generated secrets, API tokens
 * (read from the log, printed once) and the SQLite file read as an operator
 * would. `overrides` replace top-level config keys (mqtt for an external broker).
 */
export class CommandsProcess {
  readonly lines: Array<Record<string, unknown>> = [];
  readonly prefix = 'gatewarden/test-estate';
  readonly dir = mkdtempSync(join(tmpdir(), 'gw-sec-commands-'));
  brokerUrl = '';
  apiUrl = '';
  tokens: Record<string, string> = {};
  private child: ChildProcess | undefined;
  private readonly clients: MqttClient[] = [];

  async start(overrides: Record<string, unknown> = {}): Promise<void> {
    const config = harnessConfig(this.dir, { http: { enabled: true, host: '127.0.0.1', port: 0 }, ...overrides });
    writeFileSync(join(this.dir, 'config.json'), JSON.stringify(config));
    const child = spawn(process.execPath, ['dist/cli.js', 'start', join(this.dir, 'config.json')], { env: { ...process.env, GATEWARDEN_LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'inherit'] });
    this.child = child;
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const parts = (buffered + chunk.toString()).split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) if (part.trim().startsWith('{')) this.lines.push(JSON.parse(part) as Record<string, unknown>);
    });
    await waitFor(() => this.lines.some((l) => l.msg === 'gateway running'), 'gateway running', 30_000);
    const broker = this.lines.find((l) => l.msg === 'embedded MQTT broker listening');
    if (broker) this.brokerUrl = `mqtt://127.0.0.1:${String(broker.port)}`;
    this.apiUrl = String((await waitFor(() => this.lines.find((l) => l.msg === 'guard-room page and API listening'), 'the API')).url);
    // Handed over through a 0600 file beside the secrets, never the log (issue 12).
    this.tokens = readIssuedTokens(join(this.dir, 'secrets.json')) ?? {};
  }

  get secrets(): { mqttPasswords: Record<string, string>; managerKey?: { kid: string; privateKey: string } } {
    return JSON.parse(readFileSync(join(this.dir, 'secrets.json'), 'utf8')) as ReturnType<() => CommandsProcess['secrets']>;
  }

  get secretsPath(): string {
    return join(this.dir, 'secrets.json');
  }

  /** A client of a generated user that records every message it receives; subscribed to `filters` under the prefix. */
  async client(username: string, filters: string[], options: IClientOptions = {}): Promise<{ client: MqttClient; seen: Seen[] }> {
    const client = await mqtt.connectAsync(options.host ? `mqtt://${options.host}:${String(options.port)}` : this.brokerUrl, {
      username,
      password: this.secrets.mqttPasswords[username] ?? '',
      reconnectPeriod: 0,
      clientId: `${username}-${Math.random().toString(16).slice(2, 10)}`,
      ...options,
    });
    this.clients.push(client);
    const seen: Seen[] = [];
    client.on('message', (topic, payload, packet) => {
      const correlationData = packet.properties?.correlationData;
      seen.push({ topic, text: payload.toString('utf8'), ...(correlationData ? { correlationData } : {}) });
    });
    if (filters.length > 0) await client.subscribeAsync(filters.map((filter) => `${this.prefix}/${filter}`), { qos: 1 });
    return { client, seen };
  }

  /** The first reply on `…/cmd/<name>/reply` matching `match`. */
  replyOn(seen: Seen[], name: string, match: (reply: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    return waitFor(
      () => seen.filter((m) => m.topic === `${this.prefix}/cmd/${name}/reply`).map((m) => JSON.parse(m.text) as Record<string, unknown>).find(match),
      `a ${name} reply`,
    );
  }

  /** Audit rows, read from the database file as an operator would (WAL: readable while the gateway runs). */
  audit(where = '1 = 1', ...params: unknown[]): AuditRow[] {
    const db = new Database(join(this.dir, 'gatewarden.db'), { readonly: true });
    try {
      return db.prepare(`SELECT command_id AS id, name, via, principal, ok, error_code AS code, body, reply FROM audit WHERE ${where} ORDER BY rowid`).all(...params) as AuditRow[];
    } finally {
      db.close();
    }
  }

  /** Every stored reply of the idempotency table, as text. */
  storedReplies(): string[] {
    const db = new Database(join(this.dir, 'gatewarden.db'), { readonly: true });
    try {
      return (db.prepare('SELECT reply FROM commands').all() as Array<{ reply: string }>).map((row) => row.reply);
    } finally {
      db.close();
    }
  }

  http(method: string, path: string, role: string, body?: unknown): Promise<Response> {
    return fetch(`${this.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.tokens[role] ?? ''}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async stop(): Promise<void> {
    for (const client of this.clients) client.end(true);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A lockdown body as a manager's console sends it. */
export function lockdownBody(id: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, v: 1, ts: new Date().toISOString(), reason: 'security test', by: 'manager-test', ...fields };
}

/** `{"a":{"a":…}}` nested `depth` levels, as bytes. */
export function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}
