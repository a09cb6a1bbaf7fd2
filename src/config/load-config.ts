import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { GatewardenError } from '../errors.js';
import { makeValidator } from '../schema/validate.js';
import { crossCheck } from './cross-check.js';
import { ConfigSchema, type Config } from './schema.js';

const validator = makeValidator(ConfigSchema);

/** Reads, validates and freezes a config file. Throws GW_CONFIG_* with every error listed. */
export function loadConfig(path: string): Readonly<Config> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new GatewardenError('GW_CONFIG_UNREADABLE', `cannot read config ${path}: ${(error as Error).message}`);
  }
  return parseConfig(text, path);
}

export function parseConfig(text: string, source: string): Readonly<Config> {
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new GatewardenError(
      'GW_CONFIG_UNREADABLE',
      `${source} is not valid YAML`,
      document.errors.map((error) => error.message.split('\n')[0] ?? error.message),
    );
  }
  return validateConfig(document.toJS() as unknown, source);
}

export function validateConfig(value: unknown, source: string): Readonly<Config> {
  const schemaErrors = validator.check(value);
  const errors = schemaErrors.length > 0 ? schemaErrors : crossCheck(value as Config);
  if (errors.length > 0) {
    throw new GatewardenError('GW_CONFIG_INVALID', `${source} is invalid (${errors.length} error${errors.length === 1 ? '' : 's'})`, errors);
  }
  return deepFreeze(value as Config);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
