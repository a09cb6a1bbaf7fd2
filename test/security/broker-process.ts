import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MqttClient, type IClientOptions } from 'mqtt';
import { harnessConfig, waitFor } from '../../support/gateway/gateway-harness.js';

/**
 * The real gateway (`node dist/cli.js start`, build first) as an attacker on
 * the LAN meets its embedded broker: only the TCP port, the generated
 * passwords an insider would hold, and the JSON log lines for what the
 * gateway says about it. Raw sockets carry hand-made MQTT 3.1.1 packets; a
 * source address other than 127.0.0.1 (any of 127.0.0.0/8 reaches the
 * loopback listener on Linux) stands for another host of the LAN.
 */
export class BrokerProcess {
  private constructor(
    /** The gateway's JSON log lines so far. */
    readonly lines: Array<Record<string, unknown>>,
    readonly dir: string,
    readonly port: number,
    readonly passwords: Record<string, string>,
    private readonly child: ChildProcess,
  ) {}

  static async start(mqttOverrides: Record<string, unknown> = {}): Promise<BrokerProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'gw-broker-sec-'));
    const config = harnessConfig(dir, { mqtt: { broker: { type: 'embedded', host: '127.0.0.1', port: 0, ...mqttOverrides } } });
    writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
    const child = spawn(process.execPath, ['dist/cli.js', 'start', join(dir, 'config.json')], { env: { ...process.env, GATEWARDEN_LOG_FORMAT: 'json' }, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: Array<Record<string, unknown>> = [];
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      const parts = (buffered + chunk.toString()).split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) if (part.trim().startsWith('{')) lines.push(JSON.parse(part) as Record<string, unknown>);
    });
    const listening = await waitFor(() => lines.find((l) => l.msg === 'embedded MQTT broker listening'), 'the broker', 30_000);
    await waitFor(() => lines.some((l) => l.msg === 'gateway running'), 'gateway running', 30_000);
    const { mqttPasswords } = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as { mqttPasswords: Record<string, string> };
    return new BrokerProcess(lines, dir, Number(listening.port), mqttPasswords, child);
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** Resident set of the gateway process in KiB, from /proc/<pid>/status. */
  rssKiB(): number {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
    return Number(match?.[1] ?? 0);
  }

  /** An mqtt.js client from `localAddress` (127.0.0.1 unless told), not reconnecting. */
  client(options: IClientOptions & { localAddress?: string }): MqttClient {
    const { localAddress = '127.0.0.1', ...rest } = options;
    return new MqttClient(() => netConnect({ port: this.port, host: '127.0.0.1', localAddress }), { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 20_000, ...rest });
  }

  /** Logs in as `username` with its generated password; resolves with the CONNACK outcome and how long it took. */
  login(username: string, options: IClientOptions & { localAddress?: string } = {}): Promise<LoginOutcome> {
    const started = performance.now();
    const client = this.client({ username, password: this.passwords[username], ...options });
    return new Promise((resolve) => {
      const settle = (result: LoginOutcome['result'], code?: number) => resolve({ result, ...(code === undefined ? {} : { code }), ms: performance.now() - started, client });
      client.once('connect', () => settle('connected'));
      client.once('error', (error: Error & { code?: unknown }) => settle('refused', typeof error.code === 'number' ? error.code : undefined));
      client.once('close', () => settle('refused'));
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface LoginOutcome {
  result: 'connected' | 'refused';
  /** The CONNACK return code of a refusal [MQTT 3.1.1 §3.2.2.3], when the broker sent one. */
  code?: number;
  ms: number;
  client: MqttClient;
}

/** [MQTT 3.1.1 §2.2.3] the Remaining Length varint. */
export function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  let rest = length;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

const utf8 = (text: string) => {
  const body = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(body.length);
  return Buffer.concat([length, body]);
};

/** A whole MQTT 3.1.1 CONNECT [§3.1] with username and password. */
export function connectPacket(clientId: string, username: string, password: string): Buffer {
  const variable = Buffer.concat([utf8('MQTT'), Buffer.from([4, 0xc2, 0, 30])]);
  const payload = Buffer.concat([utf8(clientId), utf8(username), utf8(password)]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(variable.length + payload.length), variable, payload]);
}

/** A raw socket from `localAddress`; resolves once connected. */
export function rawSocket(port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ port, host: '127.0.0.1', localAddress }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Sends one raw CONNECT and resolves with the CONNACK return code [§3.2.2.3],
 * or 'closed' when the server closed the socket without one, and the time it took.
 */
export async function rawLogin(port: number, packet: Buffer, localAddress: string): Promise<{ code: number | 'closed'; ms: number }> {
  const started = performance.now();
  let socket: Socket;
  try {
    socket = await rawSocket(port, localAddress);
  } catch {
    return { code: 'closed', ms: performance.now() - started };
  }
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => finish('closed'), 20_000);
    const finish = (code: number | 'closed') => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ code, ms: performance.now() - started });
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 4 && received[0] === 0x20) finish(received[3] ?? 'closed');
    });
    socket.on('error', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    socket.write(packet);
  });
}
