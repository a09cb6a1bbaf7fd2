import { Ajv } from 'ajv';
import type { TSchema } from '@sinclair/typebox';
import type { FastifySchemaCompiler } from 'fastify';
import { DATE_TIME_FORMAT } from '../schema/date-time.js';
import { keyPath, makeValidator } from '../schema/validate.js';
import { problem, ProblemError } from './problem.js';

/**
 * Request validation. Bodies are checked as strictly as config and MQTT
 * commands (no type coercion, unknown keys refused, errors as `key.path: …`);
 * fastify's default would coerce types and silently drop unknown keys.
 * Query strings arrive as text, so only they are coerced (`limit=20` → 20).
 */
const queryAjv = new Ajv({ allErrors: true, strict: false, useDefaults: true, coerceTypes: true }).addFormat('date-time', DATE_TIME_FORMAT);

export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  if (httpPart === 'querystring') {
    const validate = queryAjv.compile(schema);
    return (data: unknown) => {
      if (validate(data)) return { value: data };
      const errors = (validate.errors ?? []).map((error) => `${keyPath(error.instancePath)}: ${error.message ?? 'invalid'}${paramSuffix(error.params)}`);
      return { error: invalid('querystring', errors) };
    };
  }
  const validator = makeValidator(schema);
  return (data: unknown) => {
    const errors = validator.check(data);
    return errors.length === 0 ? { value: data } : { error: invalid(httpPart ?? 'body', errors) };
  };
};

function paramSuffix(params: Record<string, unknown>): string {
  if (typeof params.additionalProperty === 'string') return ` (${params.additionalProperty})`;
  if (Array.isArray(params.allowedValues)) return ` (${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')})`;
  return '';
}

function invalid(part: string, errors: string[]): ProblemError {
  return new ProblemError(problem('GW_HTTP_INVALID', `the request ${part} does not match the schema`, errors));
}
