import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Static, TSchema } from '@sinclair/typebox';
import { DATE_TIME_FORMAT } from './date-time.js';

/**
 * One schema machinery for config, device profiles and MQTT payloads: TypeBox
 * gives the TypeScript type and the JSON Schema from one source, ajv checks it.
 * Errors read `key.path: expected …`, so an operator can fix a file without
 * reading code.
 */
const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true }).addFormat('date-time', DATE_TIME_FORMAT);

export interface Validator<S extends TSchema> {
  schema: S;
  /** Returns the error list, empty when the value is valid. Applies schema defaults in place. */
  check(value: unknown): string[];
  is(value: unknown): value is Static<S>;
}

/**
 * Compiles on first use: ajv generates code for every schema, and compiling
 * all of them when their modules load (MQTT contract, commands, profiles,
 * HTTP) was most of the gateway's start-up time and a few MB it kept even
 * when a validator was never called (issue 14).
 */
export function makeValidator<S extends TSchema>(schema: S): Validator<S> {
  let compiled: ValidateFunction | undefined;
  const validate = (value: unknown): boolean => (compiled ??= ajv.compile(schema))(value);
  return {
    schema,
    check(value) {
      return validate(value) ? [] : formatErrors(compiled?.errors ?? []);
    },
    is(value): value is Static<S> {
      return validate(value);
    },
  };
}

/** `/gates/0/lanes/1/direction` → `gates[0].lanes[1].direction` */
export function keyPath(pointer: string): string {
  if (pointer === '') return '(root)';
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), '');
}

function joinPath(parent: string, key: string): string {
  return parent === '(root)' ? key : `${parent}.${key}`;
}

function formatErrors(errors: ErrorObject[]): string[] {
  const lines = errors
    .filter((error) => error.keyword !== 'anyOf' && error.keyword !== 'oneOf' && error.keyword !== 'if')
    .map(formatError);
  return [...new Set(lines)];
}

function formatError(error: ErrorObject): string {
  const at = keyPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${joinPath(at, String(params.additionalProperty))}: unknown key`;
    case 'required':
      return `${joinPath(at, String(params.missingProperty))}: required key is missing`;
    case 'enum':
      return `${at}: expected one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${at}: expected ${JSON.stringify(params.allowedValue)}`;
    case 'type':
      return `${at}: expected ${String(params.type)}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${at}: expected a number ${String(params.comparison)} ${String(params.limit)}`;
    case 'pattern':
      return `${at}: expected a string matching ${String(params.pattern)}`;
    case 'format':
      return params.format === 'date-time' ? `${at}: expected an ISO 8601 date-time on a day that exists (YYYY-MM-DDThh:mm[:ss], Z or ±hh:mm)` : `${at}: expected format ${String(params.format)}`;
    case 'minLength':
      return `${at}: expected at least ${String(params.limit)} characters`;
    case 'maxLength':
      return `${at}: expected at most ${String(params.limit)} characters`;
    case 'minItems':
      return `${at}: expected at least ${String(params.limit)} items`;
    case 'maxItems':
      return `${at}: expected at most ${String(params.limit)} items`;
    default:
      return `${at}: ${error.message ?? 'invalid value'}`;
  }
}
