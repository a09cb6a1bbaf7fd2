import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { COMMAND_ROLES } from '../../src/commands/command-roles.js';
import type { BrokerRole } from '../../src/core/roles.js';

/**
 * A real Mosquitto for interop tests and benches: `mosquitto -c <tmp conf>` on
 * a free 127.0.0.1 port, users from `mosquitto_passwd -b`, and an ACL file that
 * mirrors the embedded broker's roles (src/mqtt/acl.ts). Needs `mosquitto` and
 * `mosquitto_passwd`: wrap tests in describeWithTools(MOSQUITTO_TOOLS, …).
 */
export const MOSQUITTO_TOOLS = ['mosquitto', 'mosquitto_passwd'] as const;

export interface MosquittoUser {
  username: string;
  password: string;
  role: BrokerRole;
}

export interface MosquittoOptions {
  /** Topic prefix the ACL grants, e.g. `gatewarden/test-estate`. */
  prefix: string;
  users: readonly MosquittoUser[];
  /** Keep retained messages across a restart (persistence file); default false, so a restart forgets them. */
  persistence?: boolean;
  /**
   * A second listener for mqtts:// that requires a client certificate signed by
   * `caFile`; the certificate's CN is the user name the ACL sees.
   */
  tls?: { caFile: string; certFile: string; keyFile: string };
  /** An ACL file of your own instead of the role mirror (mosquittoAcl). */
  acl?: string;
  /** More mosquitto.conf lines (e.g. `max_queued_messages 1`, to make it drop as its defaults do under load). */
  extraConfig?: readonly string[];
}

export interface Mosquitto {
  port: number;
  url: string;
  /** `mqtts://127.0.0.1:<port>` when `tls` was given. */
  tlsUrl?: string;
  /** Stops the broker (SIGTERM) and waits for it to exit; the port stays reserved for start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port, after stop(). */
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  close(): Promise<void>;
  /** Replaces the ACL file and makes the running broker reload it (SIGHUP). */
  setAcl(acl: string): void;
}

export async function startMosquitto(options: MosquittoOptions): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-mosquitto-'));
  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : undefined;
  const passwordFile = join(dir, 'passwd');
  writeFileSync(passwordFile, '');
  for (const user of options.users) execFileSync('mosquitto_passwd', ['-b', passwordFile, user.username, user.password]);
  const aclFile = join(dir, 'acl');
  writeFileSync(aclFile, options.acl ?? mosquittoAcl(options.prefix, options.users));
  const confFile = join(dir, 'mosquitto.conf');
  writeFileSync(
    confFile,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwordFile}`,
      `acl_file ${aclFile}`,
      `persistence ${options.persistence ? 'true' : 'false'}`,
      `persistence_location ${dir}/`,
      ...(options.tls
        ? [
            `listener ${tlsPort} 127.0.0.1`,
            `cafile ${options.tls.caFile}`,
            `certfile ${options.tls.certFile}`,
            `keyfile ${options.tls.keyFile}`,
            'require_certificate true',
            'use_identity_as_username true',
          ]
        : []),
      // Mosquitto started as root drops to user `mosquitto`, who cannot read our 0700 temp dir.
      `user ${userInfo().username}`,
      ...(options.extraConfig ?? []),
      'log_dest stderr',
      'log_type error',
      '',
    ].join('\n'),
  );

  let child: ChildProcess | undefined;
  const start = async () => {
    const spawned = spawn('mosquitto', ['-c', confFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    spawned.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child = spawned;
    for (const listening of tlsPort === undefined ? [port] : [port, tlsPort]) await waitForPort(listening, spawned, () => stderr);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await start();
  return {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    ...(tlsPort === undefined ? {} : { tlsUrl: `mqtts://127.0.0.1:${tlsPort}` }),
    start,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    setAcl(acl) {
      writeFileSync(aclFile, acl);
      child?.kill('SIGHUP');
    },
  };
}

/**
 * The embedded broker's ACL in Mosquitto's format: the gateway reads and writes
 * its tree, command senders publish the commands COMMAND_ROLES gives their role,
 * observers only read state. Mosquitto checks wills against the same rules.
 */
export function mosquittoAcl(prefix: string, users: readonly MosquittoUser[]): string {
  const lines: string[] = [];
  for (const user of users) {
    lines.push(`user ${user.username}`);
    if (user.role === 'gateway') {
      lines.push(`topic readwrite ${prefix}/#`);
    } else {
      for (const suffix of ['status', 'mode', 'health', 'stats', 'devices/#', 'passages/#', 'alerts/#']) lines.push(`topic read ${prefix}/${suffix}`);
      const commands = Object.entries(COMMAND_ROLES).filter(([, roles]) => (roles as readonly string[]).includes(user.role));
      for (const [name] of commands) lines.push(`topic write ${prefix}/cmd/${name}`);
      if (user.role !== 'observer') lines.push(`topic read ${prefix}/cmd/+/reply`, `topic readwrite ${prefix}/replies/${user.username}/#`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** A port that was free a moment ago (bind to 0, read it, release it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves once the port accepts TCP connections; fails if the process exits or 10 s pass. */
async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}: ${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`mosquitto did not listen on ${port} within 10 s: ${stderr()}`);
}
