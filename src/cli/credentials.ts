import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { defaultPrefix } from '../contract/topics.js';
import { issuedTokensPath, readIssuedTokens } from '../issued-tokens.js';
import { loadSecrets } from '../secrets.js';
import { UsageError } from './usage-error.js';

/**
 * `gatewarden credentials show`: the secrets the gateway generated, on
 * request only. `gatewarden start` never logs them (issue 12, observation 8;
 * ETSI EN 303 645 provision 5.4-1): it logs where they are. The secrets file
 * is read with the same permission checks as at start, so a file others can
 * read is refused here too. API tokens made at the first start are shown
 * while their hand-over file exists (src/issued-tokens.ts).
 */
export function runCredentials(configPath: string, values: { role?: string | undefined }): string {
  const config = loadConfig(configPath);
  const { secrets } = loadSecrets(config.secrets.path, false, false);
  const users = Object.keys(secrets.mqttPasswords).filter((user) => values.role === undefined || user === values.role);
  if (users.length === 0) {
    throw new UsageError(`gatewarden credentials show: --role: expected one of ${Object.keys(secrets.mqttPasswords).join(', ')}, got ${JSON.stringify(values.role)}; see gatewarden credentials show --help`);
  }
  const lines = [`# MQTT passwords from ${config.secrets.path}`];
  for (const user of users) {
    const password = secrets.mqttPasswords[user] ?? '';
    lines.push(`${user}: ${password}`);
    const watch = user === 'observer' ? subscribeLine(config, password) : undefined;
    if (watch) lines.push(`  ${watch}`);
  }
  const tokens = values.role === undefined ? readIssuedTokens(config.secrets.path) : undefined;
  if (tokens) {
    lines.push(`# API tokens handed over at first start, from ${issuedTokensPath(config.secrets.path)} (delete it once copied)`);
    for (const [role, token] of Object.entries(tokens)) lines.push(`${role}: ${token}`);
  }
  return lines.join('\n');
}

/** How to watch the stream as the read-only observer, on the embedded broker's plain listener. */
function subscribeLine(config: Readonly<Config>, password: string): string | undefined {
  const broker = config.mqtt.broker;
  if (broker.type !== 'embedded') return undefined;
  const host = broker.host === '0.0.0.0' ? '127.0.0.1' : broker.host;
  const filter = `${config.mqtt.topicPrefix ?? defaultPrefix(config.estate.id)}/#`;
  return `mosquitto_sub -h ${host} -p ${broker.port === 0 ? '<port in the log>' : broker.port} -u observer -P '${password}' -t '${filter}' -v`;
}
