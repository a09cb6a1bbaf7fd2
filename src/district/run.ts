import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { GatewardenError } from '../errors.js';
import { createLogger } from '../log.js';
import type { DistrictConfig } from './config-schema.js';
import { loadDistrictConfig } from './load-config.js';
import { startDistrictReceiver, type DistrictReceiver, type ReceiverOptions } from './receiver.js';

/** A stop that takes longer than this (a store that no longer answers) ends the process anyway, with exit code 1. */
const STOP_WITHIN_MS = 10_000;

/**
 * `gatewarden district CONFIG`: validate the config, read the password, the
 * signing key and the database URL from where the config points, run the
 * receiver until SIGINT or SIGTERM, then stop in order (the broker keeps the
 * session and queues for it meanwhile) and exit 0.
 */
export async function runDistrict(configPath: string): Promise<void> {
  const config = loadDistrictConfig(configPath);
  const log = createLogger(config.log.level);
  const receiver = await startDistrictReceiver({ config, log, ...readSecrets(config) });
  log.info({ estates: config.estates.length, storage: config.storage.type }, 'district receiver running');
  stopOnSignals(receiver, log);
}

function readSecrets(config: DistrictConfig): Pick<ReceiverOptions, 'password' | 'signingKey' | 'postgresUrl' | 'httpToken'> {
  const env = (name: string | undefined, what: string) => {
    if (name === undefined) return undefined;
    const value = process.env[name];
    if (value === undefined || value === '') throw new GatewardenError('GW_CONFIG_INVALID', `${what}: the environment variable ${name} is not set`);
    return value;
  };
  const password = env(config.broker.passwordEnv, 'broker.passwordEnv') ?? (config.broker.passwordFile ? readFileSync(config.broker.passwordFile, 'utf8').split('\n')[0] : undefined);
  let signingKey: { kid: string; privateKey: string };
  try {
    signingKey = JSON.parse(readFileSync(config.signingKey.file, 'utf8')) as { kid: string; privateKey: string };
  } catch (error) {
    throw new GatewardenError('GW_CONFIG_UNREADABLE', `signingKey.file ${config.signingKey.file}: ${(error as Error).message}`);
  }
  if (typeof signingKey.kid !== 'string' || typeof signingKey.privateKey !== 'string') throw new GatewardenError('GW_CONFIG_INVALID', `signingKey.file ${config.signingKey.file}: expected {kid, privateKey} (gatewarden keys generate)`);
  const postgresUrl = config.storage.type === 'postgres' ? (env(config.storage.urlEnv, 'storage.urlEnv') ?? config.storage.url) : undefined;
  const httpToken = env(config.http.tokenEnv, 'http.tokenEnv');
  return {
    password,
    signingKey: { kid: signingKey.kid, privateKey: signingKey.privateKey },
    ...(postgresUrl === undefined ? {} : { postgresUrl }),
    ...(httpToken === undefined ? {} : { httpToken }),
  };
}

/** SIGINT or SIGTERM: a bounded stop, then exit 0 (1 when the stop failed or overran; a second signal exits 1 at once). */
function stopOnSignals(receiver: DistrictReceiver, log: Logger): void {
  let stopping = false;
  const exit = (code: number) => {
    log.flush();
    process.exit(code);
  };
  const shutdown = (signal: string) => {
    if (stopping) return exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down');
    setTimeout(() => {
      log.error({ withinMs: STOP_WITHIN_MS }, 'shutdown overran; exiting');
      exit(1);
    }, STOP_WITHIN_MS).unref();
    receiver.stop().then(
      () => exit(0),
      (error: Error) => {
        log.error({ err: error.message }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
