import { GatewardenError } from '../errors.js';

/** Set to 1 to see the stack of an unexpected error (a bug report); the shell never gets one otherwise. */
export const DEBUG_ENV = 'GATEWARDEN_DEBUG';

/**
 * What the shell shows for a failed command: the code, the message and one
 * line per detail for our own errors, the message alone for anything else
 * (issue 16: a stack trace is no answer to a typing mistake).
 */
export function describeError(error: unknown): string {
  if (error instanceof GatewardenError) {
    return [`${error.code}: ${error.message}`, ...error.details.map((line) => `  - ${line}`)].join('\n');
  }
  if (!(error instanceof Error)) return String(error);
  return process.env[DEBUG_ENV] === '1' ? (error.stack ?? error.message) : `error: ${error.message}`;
}
