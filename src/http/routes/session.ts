import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { EVERY_ROLE, principalOf } from '../auth.js';
import { problemResponses } from '../problem.js';

/** Who the token belongs to: the page's login check. */
export function sessionRoutes(app: FastifyInstance): void {
  app.get(
    '/api/session',
    {
      config: { auth: EVERY_ROLE },
      schema: { operationId: 'getSession', tags: ['session'], summary: 'The name and role of the presented token', response: { 200: Type.Object({ name: Type.String(), role: Type.String() }), ...problemResponses(401, 403) } },
    },
    async (request) => principalOf(request),
  );
}
