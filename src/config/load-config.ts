import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { GatewardenError } from '../errors.js';
import { makeValidator } from '../schema/validate.js';
import { crossCheck, sectionChecks } from './cross-check.js';
import { formatLocated, formatYamlError, locateErrors } from '../schema/locate-errors.js';
import { PLACEHOLDER, partialConfig } from './partial-config.js';
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

/**
 * Parses and validates config text. Errors carry their place in the file
 * (`source:line:col: key.path: …`), devices are named by id and an unknown
 * key gets the nearest allowed one (issue 16, the CLI), for check-config and
 * start alike.
 */
export function parseConfig(text: string, source: string): Readonly<Config> {
  const lines = new LineCounter();
  const document = parseDocument(text, { prettyErrors: true, lineCounter: lines });
  if (document.errors.length > 0) {
    throw new GatewardenError('GW_CONFIG_UNREADABLE', `${source} is not valid YAML`, document.errors.map((error) => formatYamlError(error, source)));
  }
  const value = toValue(document, source);
  const errors = configErrors(value);
  if (errors.length > 0) {
    const located = locateErrors(document, lines, errors, { schema: ConfigSchema, namedArrays: ['devices'] });
    throw invalid(source, located.map((error) => formatLocated(error, source)), districtHint(value));
  }
  return deepFreeze(value as Config);
}

/**
 * The document as plain values. Resolving aliases can fail where parsing did not: an alias bomb (aliases of
 * aliases) passes the parser and is refused here, by yaml's alias limit (found from outside: it surfaced as an
 * uncoded error).
 */
function toValue(document: ReturnType<typeof parseDocument>, source: string): unknown {
  try {
    return document.toJS();
  } catch (error) {
    throw new GatewardenError('GW_CONFIG_UNREADABLE', `${source} is not valid YAML`, [`${source}: ${(error as Error).message}`]);
  }
}

/** Validates a config value (no file positions): the plain `key.path: …` lines. */
export function validateConfig(value: unknown, source: string): Readonly<Config> {
  const errors = configErrors(value);
  if (errors.length > 0) throw invalid(source, errors, districtHint(value));
  return deepFreeze(value as Config);
}

/**
 * The schema and the cross-checks in one pass: the cross-checks run on what
 * parsed even when the schema failed (partial-config.ts), so every mistake
 * is reported at once. A cross-check that trips on a shape the partial view
 * did not foresee adds nothing: the schema errors already say what to fix.
 */
function configErrors(value: unknown): string[] {
  const schemaErrors = validator.check(value);
  if (schemaErrors.length === 0) return [...crossCheck(value as Config), ...sectionChecks(value as Config)];
  return [...new Set([...schemaErrors, ...partialCrossCheck(value, schemaErrors)])];
}

/** A district receiver's config given to the gateway fails on every key: say what it is first. */
function districtHint(value: unknown): string {
  const keys = value !== null && typeof value === 'object' ? Object.keys(value) : [];
  if (!keys.includes('district') || !keys.includes('estates')) return '';
  return '; it is a district receiver config (district:, estates:): run it with `gatewarden district <config>` (docs/district.md)';
}

function partialCrossCheck(value: unknown, schemaErrors: readonly string[]): string[] {
  const partial = partialConfig(value, schemaErrors);
  try {
    return partial ? crossCheck(partial).filter((error) => !error.includes(PLACEHOLDER)) : [];
  } catch {
    return [];
  }
}

function invalid(source: string, errors: readonly string[], hint: string): GatewardenError {
  return new GatewardenError('GW_CONFIG_INVALID', `${source} is invalid (${errors.length} error${errors.length === 1 ? '' : 's'})${hint}`, errors);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
