import type { CommandsConfig } from './config-schema.js';

/**
 * The keys a command may be signed with: `commands.keys` from the config, and
 * the manager key generated with the secrets (`secrets.generate`, a demo),
 * so the demo's console and `gatewarden cmd --key data/secrets.json` work
 * with signatures required. A configured key with the same kid wins.
 */
export function commandsWithSecretKeys(config: CommandsConfig, secrets: { managerKey?: { kid: string; publicKey: string } | undefined }): CommandsConfig {
  const generated = secrets.managerKey;
  if (!generated || config.keys.some((key) => key.kid === generated.kid)) return config;
  return { ...config, keys: [...config.keys, { kid: generated.kid, publicKey: generated.publicKey, role: 'manager' }] };
}
