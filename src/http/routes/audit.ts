import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { OVERSIGHT } from '../auth.js';
import { readerOf, type HttpDeps } from '../deps.js';
import { problemResponses } from '../problem.js';
import { AuditQueries } from '../queries/audit.js';
import { AuditSchema, PageOf } from '../schemas.js';

const AuditQuery = Type.Object(
  {
    name: Type.Optional(Type.String({ pattern: '^[a-z-]{1,32}$', description: 'command name, e.g. open' })),
    principal: Type.Optional(Type.String({ maxLength: 128 })),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Type.String({ pattern: '^\\d{1,15}$' })),
  },
  { additionalProperties: false },
);

/** The command audit trail, for managers and auditors. */
export function auditRoutes(app: FastifyInstance, deps: HttpDeps): void {
  const queries = new AuditQueries(readerOf(deps));
  app.get<{ Querystring: Static<typeof AuditQuery> }>(
    '/api/audit',
    { config: { auth: OVERSIGHT }, schema: { operationId: 'listAudit', tags: ['audit'], summary: 'Every command, accepted or refused, newest first', querystring: AuditQuery, response: { 200: PageOf(AuditSchema), ...problemResponses(400, 401, 403) } } },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return queries.list({ ...filter, ...(cursor === undefined ? {} : { beforeSeq: Number(cursor) }) }, limit);
    },
  );
}
