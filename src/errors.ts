/**
 * Every coded error of gatewarden, in one place. Adapters catch failures at
 * their boundary and turn them into these codes (as events, alerts or replies);
 * only start-up failures and programmer errors are thrown.
 */
export const ERROR_CODES = {
  GW_CONFIG_INVALID: 'configuration is invalid',
  GW_CONFIG_UNREADABLE: 'configuration file cannot be read or parsed',
  GW_PROFILE_INVALID: 'device profile is invalid',
  GW_SECRETS_MISSING: 'secrets file is missing and generation is not enabled',
  GW_SECRETS_PERMISSIVE: 'secrets file can be read by group or others',
  GW_STORAGE: 'database error',
  GW_STORAGE_MISSING: 'the database created before is missing; restore it or start with --new-database',
  GW_DEVICE_TIMEOUT: 'device did not answer in time',
  GW_DEVICE_IO: 'device port error',
  GW_DEVICE_PROTOCOL: 'device sent a malformed frame',
  GW_BARRIER_NO_ACK: 'barrier did not acknowledge the release',
  GW_MQTT: 'MQTT connection error',
  GW_LISTENER: 'an event listener failed; the emitter and the other listeners went on',
  GW_COMMAND_INVALID: 'command rejected',
  GW_COMMAND_UNAUTHORIZED: 'the sender may not issue this command',
  GW_COMMAND_UNSIGNED: 'command carries no signature but one is required',
  GW_COMMAND_BAD_SIGNATURE: 'command signature does not verify with a known manager key',
  GW_COMMAND_STALE: 'command timestamp is outside the accepted window',
  GW_COMMAND_REPLAYED: 'command id was already used for a different command',
  GW_COMMAND_RETAINED: 'retained command refused: it would fire again after every restart',
  GW_COMMAND_NOT_APPLICABLE: 'command is valid but cannot be applied now',
  GW_HTTP_UNAUTHORIZED: 'no valid API token was presented',
  GW_HTTP_FORBIDDEN: 'the role of the API token may not use this route',
  GW_HTTP_INVALID: 'request does not match the route schema',
  GW_HTTP_NOT_FOUND: 'no such resource',
  GW_HTTP_RATE_LIMITED: 'too many requests',
  GW_HTTP_UNAVAILABLE: 'the service behind this route is not running',
  GW_HTTP_INTERNAL: 'unexpected error while serving a request',
  GW_HTTP_TLS: 'the HTTPS certificate or key cannot be loaded or made',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Each code as a constant, for log lines (`code: Code.GW_STORAGE`): a misspelt code is a compile error, not a line no one finds. */
export const Code = Object.freeze(Object.fromEntries(Object.keys(ERROR_CODES).map((code) => [code, code]))) as { readonly [C in ErrorCode]: C };

export class GatewardenError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly string[];

  constructor(code: ErrorCode, message: string, details: readonly string[] = []) {
    super(message);
    this.name = 'GatewardenError';
    this.code = code;
    this.details = details;
  }
}
