import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createPrivateFile } from './store/file-modes.js';

/**
 * API tokens made on a first run are handed over once, through a file beside
 * the secrets that only the gateway's user can read, never through the log
 * (issue 12: secrets are never logged). The gateway keeps only their hashes;
 * `gatewarden credentials show` prints this file, and the operator deletes it
 * once the tablets have their tokens.
 */
export function issuedTokensPath(secretsPath: string): string {
  return join(dirname(secretsPath), 'api-tokens.issued.json');
}

export function writeIssuedTokens(secretsPath: string, tokens: Readonly<Record<string, string>>): string {
  const path = issuedTokensPath(secretsPath);
  createPrivateFile(path);
  writeFileSync(path, `${JSON.stringify(tokens, null, 2)}\n`, { mode: 0o600 });
  return path;
}

/** The hand-over file's tokens; `path` is the secrets file or the hand-over file itself (as the log names it). */
export function readIssuedTokens(path: string): Record<string, string> | undefined {
  const file = path.endsWith('.issued.json') ? path : issuedTokensPath(path);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : undefined;
}
