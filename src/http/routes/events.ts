import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ANY_ROLE, principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { MAX_CLIENTS } from '../live-feed.js';
import { fail, problemResponses } from '../problem.js';

/**
 * The live stream for the page: `passage`, `alert`, `lane`, `device` and
 * `mode` events as Server-Sent Events. The page reads it with fetch (so the
 * token travels in the Authorization header, never in a URL or a log).
 */
export function eventRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/api/events',
    {
      config: { auth: ANY_ROLE, rateLimit: false },
      schema: {
        operationId: 'streamEvents',
        tags: ['live'],
        summary: 'Server-Sent Events: passage, alert, lane, device, mode',
        produces: ['text/event-stream'],
        // The reply is hijacked and streamed, never serialised: this entry documents the 200 only.
        response: { 200: { description: 'the event stream, open until the client goes', content: { 'text/event-stream': { schema: Type.String() } } }, ...problemResponses(401, 403, 503) },
      },
    },
    async (request, reply) => {
      const { role, name } = principalOf(request);
      const owner = `${role}:${name}`;
      if (!deps.feed.admit(owner)) fail('GW_HTTP_UNAVAILABLE', `the live feed serves at most ${MAX_CLIENTS} pages at once`);
      reply.hijack();
      deps.feed.attach(reply.raw, owner);
      request.log.debug('live feed client attached');
    },
  );
}
