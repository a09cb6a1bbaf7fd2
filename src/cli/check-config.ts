import { loadConfig } from '../config/load-config.js';
import { describeError } from './describe-error.js';
import type { Io } from './io.js';

/**
 * `gatewarden check-config CONFIG…`: every file is checked, a bad one does
 * not stop the next, and each bad file lists all of its errors with their
 * line:column (load-config.ts). Exit 1 when any file is invalid.
 */
export function runCheckConfig(paths: readonly string[], io: Io): number {
  return checkEach(paths, 'config files', (path) => {
    loadConfig(path);
    return `${path}: ok`;
  }, io);
}

/** Runs a check on every file, a failed one not stopping the next: its line on stdout, or its error on stderr. Exit 1 if any failed. */
export function checkEach(paths: readonly string[], what: string, check: (path: string) => string, io: Io): number {
  let failed = 0;
  for (const path of paths) {
    try {
      io.out(check(path));
    } catch (error) {
      failed += 1;
      io.err(describeError(error));
    }
  }
  if (failed > 0 && paths.length > 1) io.err(`${failed} of ${paths.length} ${what} are invalid`);
  return failed > 0 ? 1 : 0;
}
