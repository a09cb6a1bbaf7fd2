import { loadConfig } from '../config/load-config.js';
import { startGateway } from '../gateway.js';
import { createLogger } from '../log.js';

/**
 * `gatewarden start`: validate the config before anything starts, run the
 * gateway, and shut down in order on SIGINT / SIGTERM (exit 0). A second
 * signal during shutdown exits at once.
 */
export async function runStart(configPath: string): Promise<void> {
  const config = loadConfig(configPath);
  const log = createLogger(config.log.level);
  const gateway = await startGateway({ config, log });

  const { broker, url } = gateway.mqtt;
  if (broker) {
    const [host, port] = url.replace('mqtt://', '').split(':');
    const filter = `${gateway.mqtt.topics.prefix}/#`;
    const password = gateway.secrets.mqttPasswords.observer;
    log.info(
      { subscribe: `mosquitto_sub -h ${host} -p ${port} -u observer -P '${password}' -t '${filter}' -v` },
      `watch the MQTT stream (read-only user "observer", credentials in ${config.secrets.path})`,
    );
  }

  if (gateway.http) {
    log.info({ url: gateway.http.url }, 'guard-room page: open it and log in with an API token');
  }
  if (gateway.issuedApiTokens) {
    // Shown once: only their hashes are kept (in the secrets file).
    log.warn({ tokens: gateway.issuedApiTokens }, 'API tokens generated for the guard-room page, one per role; copy them now, they are not shown again');
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
