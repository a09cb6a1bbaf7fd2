import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';

/**
 * Data at rest is for the gateway's user only (issue 12, observation 3; IEC
 * 62443-4-2 CR 4.1, ETSI EN 303 645 provision 5.4): the data folder is 0700,
 * the database, its -wal and -shm, the secrets and generated keys 0600. They
 * are created so, and a looser mode found at start is tightened with a
 * warning (a copy, a restore or an old version left it open).
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** The least a caller needs to say what it changed. */
export interface ModeLog {
  warn(fields: Record<string, unknown>, message: string): void;
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/** Group or other may read, write or enter it. */
export const isPermissive = (mode: number): boolean => (mode & 0o077) !== 0;

/**
 * Creates the data folder 0700, or tightens it to 0700. Never the working
 * directory, the home directory or `/`: a data folder is the gateway's own,
 * and a database put straight into one of those keeps its folder as it is.
 */
export function ensurePrivateDir(dir: string, log?: ModeLog): void {
  const path = resolve(dir);
  if (!existsSync(path)) {
    mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
    chmodSync(path, PRIVATE_DIR_MODE);
    return;
  }
  if ([process.cwd(), homedir(), '/'].includes(path)) return;
  tighten(path, PRIVATE_DIR_MODE, log);
}

/** Creates an empty file 0600 unless it exists, so what writes it next (SQLite) keeps that mode. */
export function createPrivateFile(path: string): void {
  if (existsSync(path)) return;
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
}

/** Tightens an existing file to 0600; a missing one is left alone. */
export function tightenFile(path: string, log?: ModeLog): void {
  if (existsSync(path)) tighten(path, PRIVATE_FILE_MODE, log);
}

function tighten(path: string, mode: number, log?: ModeLog): void {
  const current = statSync(path).mode & 0o777;
  if (!isPermissive(current)) return;
  chmodSync(path, mode);
  log?.warn({ module: 'file-modes', path, was: octal(current), now: octal(mode) }, `${path} was open to group or others (${octal(current)}): tightened to ${octal(mode)}`);
}

/** The permission bits of a file, as `0644`. */
export function modeOf(path: string): string {
  return octal(statSync(path).mode);
}
