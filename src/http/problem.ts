import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { ERROR_CODES, type ErrorCode } from '../errors.js';

/**
 * Errors as `application/problem+json` (RFC 9457). `type` is a stable URI
 * built from the error code [RFC 9457, 3.1.1], `code` the same code as the
 * logs and MQTT replies carry, `errors` the offending keys as `key.path: …`.
 */

const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const ProblemSchema = Type.Object(
  {
    type: Type.String({ description: 'stable URI of the problem type, urn:gatewarden:problem:<code>' }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.String({ description: 'error code from src/errors.ts, e.g. GW_HTTP_FORBIDDEN' }),
    errors: Type.Optional(Type.Array(Type.String())),
  },
  { description: 'RFC 9457 problem details' },
);

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: string[];
}

/** How each refusal of the command path maps onto HTTP. */
const STATUS: Partial<Record<ErrorCode, number>> = {
  GW_HTTP_UNAUTHORIZED: 401,
  GW_HTTP_FORBIDDEN: 403,
  GW_HTTP_INVALID: 400,
  GW_HTTP_NOT_FOUND: 404,
  GW_HTTP_RATE_LIMITED: 429,
  GW_HTTP_UNAVAILABLE: 503,
  GW_COMMAND_INVALID: 400,
  GW_COMMAND_STALE: 400,
  GW_COMMAND_UNAUTHORIZED: 403,
  GW_COMMAND_UNSIGNED: 403,
  GW_COMMAND_BAD_SIGNATURE: 403,
  GW_COMMAND_REPLAYED: 409,
  GW_COMMAND_NOT_APPLICABLE: 409,
  GW_STORAGE: 503,
};

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

function problemType(code: string): string {
  return `urn:gatewarden:problem:${code.toLowerCase().replace(/^gw_/, '').replace(/_/g, '-')}`;
}

export function problem(code: ErrorCode, detail: string, errors?: readonly string[]): Problem {
  return {
    type: problemType(code),
    title: ERROR_CODES[code],
    status: STATUS[code] ?? 500,
    detail,
    code,
    ...(errors && errors.length > 0 ? { errors: [...errors] } : {}),
  };
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/** An error a route throws to answer with a problem; the error handler turns it into the response. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
    this.name = 'ProblemError';
  }
}

export function fail(code: ErrorCode, detail: string, errors?: readonly string[]): never {
  throw new ProblemError(problem(code, detail, errors));
}

/** Problem responses every route may give, for the OpenAPI document. */
export function problemResponses(...statuses: number[]): Record<number, typeof ProblemSchema> {
  return Object.fromEntries(statuses.map((status) => [status, ProblemSchema]));
}
