import { existsSync } from 'node:fs';
import { loadConfig } from '../config/load-config.js';
import { GatewardenError } from '../errors.js';
import { defaultPrefix } from '../contract/topics.js';
import { loadSecrets } from '../secrets.js';

/**
 * `gatewarden keys export-gateway [config]`: the gateway's public key, for the
 * district to register (docs/district.md, "Registering a gateway"). It
 * verifies the signed checkpoints and gap records. The secrets file is read
 * with the same checks as at start; a file without a gateway key gains one.
 */
export function runExportGateway(configPath: string): string {
  const config = loadConfig(configPath);
  if (config.secrets.generate && !existsSync(config.secrets.path)) {
    // Generated here, the first start's API tokens would have no hand-over file: the start makes them all.
    throw new GatewardenError('GW_SECRETS_MISSING', `secrets file ${config.secrets.path} does not exist yet`, [
      `the gateway generates its secrets and its key on its first start: run "gatewarden start ${configPath}" once, then this`,
    ]);
  }
  const { secrets } = loadSecrets(config.secrets.path, false, false);
  const key = secrets.gatewayKey;
  if (!key) {
    throw new GatewardenError('GW_SECRETS_MISSING', `secrets file ${config.secrets.path} has no gatewayKey and cannot be written to add one`, [
      'run this once with the secrets file writable by the gateway user, or add "gatewayKey" from "gatewarden keys generate --kid gateway-1"',
    ]);
  }
  const registration = {
    estate: config.estate.id,
    topicPrefix: config.mqtt.topicPrefix ?? defaultPrefix(config.estate.id),
    kid: key.kid,
    alg: 'Ed25519',
    publicKey: key.publicKey,
  };
  return JSON.stringify(registration, null, 2);
}
