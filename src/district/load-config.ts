import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { defaultPrefix } from '../contract/topics.js';
import { GatewardenError } from '../errors.js';
import { makeValidator } from '../schema/validate.js';
import { formatLocated, formatYamlError, locateErrors } from '../schema/locate-errors.js';
import { DistrictConfigSchema, type DistrictConfig, type EstateConfig } from './config-schema.js';

const validator = makeValidator(DistrictConfigSchema);

/** Reads and validates a district config; throws GW_CONFIG_* with every error placed at file:line:col. */
export function loadDistrictConfig(path: string): DistrictConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new GatewardenError('GW_CONFIG_UNREADABLE', `cannot read config ${path}: ${(error as Error).message}`);
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: true, lineCounter: lines });
  if (document.errors.length > 0) throw new GatewardenError('GW_CONFIG_UNREADABLE', `${path} is not valid YAML`, document.errors.map((error) => formatYamlError(error, path)));
  const value = document.toJS() as unknown;
  const errors = districtConfigErrors(value);
  if (errors.length > 0) {
    const located = locateErrors(document, lines, errors, { schema: DistrictConfigSchema, namedArrays: ['estates'] });
    throw invalid(path, located.map((error) => formatLocated(error, path)));
  }
  return value as DistrictConfig;
}

/** A config value (a test's, or one already parsed): validated, defaults applied. */
export function validateDistrictConfig(value: unknown, source: string): DistrictConfig {
  const errors = districtConfigErrors(value);
  if (errors.length > 0) throw invalid(source, errors);
  return value as DistrictConfig;
}

export function estatePrefix(estate: EstateConfig): string {
  return estate.topicPrefix ?? defaultPrefix(estate.id);
}

function districtConfigErrors(value: unknown): string[] {
  const schemaErrors = validator.check(value);
  if (schemaErrors.length > 0) return schemaErrors;
  const config = value as DistrictConfig;
  const errors: string[] = [];
  const storage = config.storage;
  if (storage.type === 'sqlite' && storage.path === undefined) errors.push('storage.path: required when storage.type is sqlite');
  if (storage.type === 'postgres' && (storage.url === undefined) === (storage.urlEnv === undefined)) errors.push('storage: expected one of url or urlEnv when storage.type is postgres');
  if (config.broker.passwordEnv !== undefined && config.broker.passwordFile !== undefined) errors.push('broker: expected at most one of passwordEnv and passwordFile');
  const ids = new Set<string>();
  const prefixes = new Set<string>();
  config.estates.forEach((estate, index) => {
    if (ids.has(estate.id)) errors.push(`estates[${index}].id: expected a unique id, ${estate.id} is listed before`);
    const prefix = estatePrefix(estate);
    if ([...prefixes].some((other) => other === prefix || other.startsWith(`${prefix}/`) || prefix.startsWith(`${other}/`))) errors.push(`estates[${index}].topicPrefix: expected a prefix of its own, ${prefix} overlaps another estate's`);
    ids.add(estate.id);
    prefixes.add(prefix);
  });
  return errors;
}

function invalid(source: string, errors: readonly string[]): GatewardenError {
  return new GatewardenError('GW_CONFIG_INVALID', `${source} is invalid (${errors.length} error${errors.length === 1 ? '' : 's'})`, errors);
}
