import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type TLSSocket } from 'node:tls';
import mqtt, { type MqttClient } from 'mqtt';
import { generateApiToken, hashApiToken } from '../../src/http/api-tokens.js';
import { harnessConfig, waitFor } from '../../support/gateway/gateway-harness.js';

/** The roles the tests hold a token for: one token each, made by the test as an operator would. */
export const ROLES = ['guard', 'manager', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** SHA-256 fingerprint of the certificate the server presented (HTTPS only). */
  fingerprint256?: string;
}

/**
 * The real gateway (`node dist/cli.js start`, build first) as a client of its
 * guard-room port meets it: HTTP(S) only, the tokens an insider holds, the
 * read-only observer on MQTT for the alerts, and the JSON log lines. The
 * config and data folder persist across `restart`.
 */
export class HttpProcess {
  /** The JSON log lines of the current run. */
  readonly lines: Array<Record<string, unknown>> = [];
  readonly tokens: Record<Role, string> = { guard: generateApiToken(), manager: generateApiToken(), auditor: generateApiToken() };
  readonly dir = mkdtempSync(join(tmpdir(), 'gw-http-sec-'));
  readonly alerts: Array<{ topic: string; body: Record<string, unknown> }> = [];
  private child: ChildProcess | undefined;
  private observer: MqttClient | undefined;
  stderr = '';

  constructor(http: Record<string, unknown> = {}) {
    const tokens = ROLES.map((role) => ({ name: `${role}-1`, role, hash: hashApiToken(this.tokens[role]) }));
    const config = harnessConfig(this.dir, { http: { enabled: true, host: '127.0.0.1', port: 0, tokens, ...http } });
    writeFileSync(this.configPath, JSON.stringify(config));
  }

  get configPath(): string {
    return join(this.dir, 'config.json');
  }

  get databasePath(): string {
    return join(this.dir, 'gatewarden.db');
  }

  /** Starts the process; resolves once it runs, rejects with its stderr when it exits first. */
  async start(args: readonly string[] = []): Promise<void> {
    // Each run's lines only: "gateway running" of the last run must not count for this one.
    this.lines.length = 0;
    const child = spawn(process.execPath, ['dist/cli.js', 'start', this.configPath, ...args], { env: { ...process.env, GATEWARDEN_LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.startsWith('{')) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    const exited = new Promise<never>((_resolve, reject) => child.once('exit', (code) => reject(new Error(`gateway exited (${code}): ${this.stderr}`))));
    const running = waitFor(() => this.lines.some((l) => l.msg === 'gateway running'), 'gateway running', 30_000);
    await Promise.race([running, exited]);
    const broker = this.lines.findLast((l) => l.msg === 'embedded MQTT broker listening');
    const { mqttPasswords } = JSON.parse(readFileSync(join(this.dir, 'secrets.json'), 'utf8')) as { mqttPasswords: Record<string, string> };
    this.observer = await mqtt.connectAsync(`mqtt://127.0.0.1:${Number(broker?.port)}`, { username: 'observer', password: mqttPasswords.observer, reconnectPeriod: 0 });
    this.observer.on('message', (topic, payload) => this.alerts.push({ topic, body: JSON.parse(payload.toString()) as Record<string, unknown> }));
    // harnessConfig's estate, under the default prefix.
    await this.observer.subscribeAsync('gatewarden/test-estate/alerts/#', { qos: 1 });
  }

  /** Exit code and stderr of a start expected to fail. */
  async failedStart(args: readonly string[] = []): Promise<{ code: number | null; stderr: string }> {
    this.stderr = '';
    const child = spawn(process.execPath, ['dist/cli.js', 'start', this.configPath, ...args], { env: { ...process.env, GATEWARDEN_LOG_FORMAT: 'json' }, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 30_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    clearTimeout(timer);
    this.child = undefined;
    return { code, stderr: this.stderr };
  }

  /** The last log line with this message. */
  log(msg: string): Record<string, unknown> | undefined {
    return this.lines.findLast((l) => l.msg === msg);
  }

  /** The plain HTTP base URL from the log. */
  get url(): string {
    return String(this.log('guard-room page and API listening')?.url);
  }

  async get(path: string, role?: Role | string, init: RequestInit = {}): Promise<Response> {
    const token = role === undefined ? undefined : role in this.tokens ? this.tokens[role as Role] : role;
    return fetch(`${this.url}${path}`, { ...init, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) } });
  }

  async stop(): Promise<void> {
    await this.observer?.endAsync().catch(() => undefined);
    this.observer = undefined;
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    await exited;
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * GET over HTTPS trusting exactly one certificate, by its SHA-256 fingerprint,
 * as a guard does who compared it with the one the gateway logged.
 */
export function getPinned(url: string, fingerprint256: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, { rejectUnauthorized: false, timeout: 10_000 }, (response) => {
      const presented = (response.socket as TLSSocket).getPeerCertificate().fingerprint256;
      if (presented !== fingerprint256) {
        response.destroy();
        reject(new Error(`certificate ${presented} is not the pinned ${fingerprint256}`));
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString(), fingerprint256: presented }));
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url}`)));
    request.on('error', reject);
    request.end();
  });
}
