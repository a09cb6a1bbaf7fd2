import { readFileSync } from 'node:fs';

/** How the installed `gatewarden` command starts Node: the environment and node flags of dist/cli.js's `#!/usr/bin/env -S …` line. */
export interface GatewayLaunch {
  env: Record<string, string>;
  nodeFlags: string[];
}

/**
 * The benches start the gateway as `node <flags> dist/cli.js`, where a
 * shebang does not apply; they read it here, so they measure the process the
 * installed command runs (src/cli.ts says why these flags).
 */
export function gatewayLaunch(cli = 'dist/cli.js'): GatewayLaunch {
  const first = readFileSync(cli, 'utf8').split('\n', 1)[0] ?? '';
  const words = first.replace(/^#!\S*env\s+(-S\s+)?/, '').split(/\s+/).filter(Boolean);
  const nodeAt = words.indexOf('node');
  if (!first.startsWith('#!') || nodeAt === -1) return { env: {}, nodeFlags: [] };
  const env = Object.fromEntries(words.slice(0, nodeAt).map((word) => word.split('=', 2) as [string, string]));
  return { env, nodeFlags: words.slice(nodeAt + 1) };
}
