/**
 * The call itself was wrong in a way only the command can tell (an option
 * value checked against a file it reads): exit code 2, like commander's own
 * usage errors, not 1 (the command ran and failed).
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
