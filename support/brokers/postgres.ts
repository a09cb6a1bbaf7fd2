import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './mosquitto.js';

/**
 * A real PostgreSQL for the district receiver's storage tests: Debian's
 * `postgresql` package (15), a fresh cluster made by initdb in a temp dir,
 * started by pg_ctl on a free loopback port with its socket in that dir, and
 * one database. PostgreSQL refuses to run as root, so as root every tool runs
 * as the `postgres` user (runuser) and the temp dir is handed to it.
 * Wrap tests in describeWithTools(POSTGRES_TOOLS, …).
 */
const BIN = '/usr/lib/postgresql/15/bin';
export const POSTGRES_TOOLS = [`${BIN}/initdb`, `${BIN}/pg_ctl`] as const;

export interface Postgres {
  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust authentication on loopback). */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const START_WITHIN_S = 30;

export async function startPostgres(database = 'district'): Promise<Postgres> {
  const dir = mkdtempSync(join(tmpdir(), 'gw-postgres-'));
  const data = join(dir, 'data');
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { uid, gid } = postgresUser();
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }
  // runuser, not su: no login shell and no PAM session to wait for.
  const run = (tool: string, args: readonly string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', join(BIN, tool), ...args], { stdio: 'pipe', cwd: dir }) : execFileSync(join(BIN, tool), args, { stdio: 'pipe', cwd: dir });
  const port = await freePort();
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    // fsync off: a test database is thrown away; it keeps two shared cores free for the rest.
    run('pg_ctl', ['start', '-D', data, '-w', '-t', String(START_WITHIN_S), '-l', join(dir, 'log'), '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=20`]);
    run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database]);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${database}`,
    port,
    async stop() {
      await new Promise<void>((resolve) => {
        const args = ['stop', '-D', data, '-m', 'fast', '-w'];
        const child = asRoot ? spawn('runuser', ['-u', 'postgres', '--', join(BIN, 'pg_ctl'), ...args], { stdio: 'ignore' }) : spawn(join(BIN, 'pg_ctl'), args, { stdio: 'ignore' });
        child.once('exit', () => resolve());
        child.once('error', () => resolve());
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresUser(): { uid: number; gid: number } {
  try {
    return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
  } catch {
    throw new Error('no postgres user (apt-get install postgresql makes it)');
  }
}
