import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { loadConfig } from '../config/load-config.js';
import { startGateway } from '../gateway.js';
import { createLogger } from '../log.js';
import { ALLOW_PERMISSIVE_SECRETS_ENV, permissiveSecretsMode } from '../secrets.js';
import { ensurePrivateDir } from '../store/file-modes.js';
import { writeIssuedTokens } from '../issued-tokens.js';
import { Code } from '../errors.js';

/**
 * `gatewarden start`: validate the config before anything starts, run the
 * gateway, and shut down in order on SIGINT / SIGTERM (exit 0). A second
 * signal during shutdown exits at once.
 */
export async function runStart(configPath: string, options: { newDatabase: boolean } = { newDatabase: false }): Promise<void> {
  const config = loadConfig(configPath);
  const log = createLogger(config.log.level);
  guardSecretsFile(config.secrets.path, log);
  const gateway = await startGateway({ config, log, newDatabase: options.newDatabase });

  const { broker, url } = gateway.mqtt;
  if (broker) {
    // Where the password is, never the password (issue 12, observation 8): it is printed on request only.
    log.info(
      { url, user: 'observer', topics: `${gateway.mqtt.topics.prefix}/#`, secrets: config.secrets.path, show: `gatewarden credentials show ${configPath} --role observer` },
      `watch the MQTT stream as the read-only user "observer"; its password is in ${config.secrets.path}`,
    );
  }

  if (gateway.http) {
    log.info({ url: gateway.http.url }, 'guard-room page: open it and log in with an API token');
  }
  if (gateway.issuedApiTokens) {
    // Where they are, never the tokens: only their hashes are kept in the secrets file.
    const tokensFile = writeIssuedTokens(config.secrets.path, gateway.issuedApiTokens);
    log.warn({ tokensFile, show: `gatewarden credentials show ${configPath}` }, `API tokens generated for the guard-room page, one per role, in ${tokensFile} (mode 0600): give them to the tablets, then delete the file`);
  }

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without finishing shutdown');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    gateway
      .stop()
      .then(() => {
        log.info('stopped cleanly');
        log.flush();
        process.exit(0);
      })
      .catch((error: Error) => {
        log.error({ err: error.message }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/**
 * Data at rest (docs/operations.md): the secrets' folder is tightened to
 * 0700 like the database's; a secrets file open to group or others is
 * warned about here, then refused by loadSecrets (GW_SECRETS_PERMISSIVE,
 * exit 1) unless the override is set.
 */
function guardSecretsFile(path: string, log: Logger): void {
  ensurePrivateDir(dirname(path), log);
  const mode = permissiveSecretsMode(path);
  if (mode === undefined) return;
  const allowed = process.env[ALLOW_PERMISSIVE_SECRETS_ENV] === '1';
  log.warn(
    { module: 'secrets', path, mode, code: Code.GW_SECRETS_PERMISSIVE, override: ALLOW_PERMISSIVE_SECRETS_ENV, allowed },
    allowed ? `secrets file ${path} is readable by group or others (${mode}); accepted because ${ALLOW_PERMISSIVE_SECRETS_ENV}=1` : `secrets file ${path} is readable by group or others (${mode}); refusing to start: chmod 600 it`,
  );
}
