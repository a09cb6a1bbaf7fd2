import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { idempotencyKey, reachedService } from './command-bridge.js';
import type { HttpDeps } from './deps.js';

/** What the route's own checks answer, as the audit row's error code. */
const REFUSALS: Readonly<Record<number, { code: string; message: string }>> = {
  400: { code: 'GW_HTTP_INVALID', message: 'refused by the route: the request does not match its schema' },
  403: { code: 'GW_HTTP_FORBIDDEN', message: 'refused by the route: the role of the API token may not send this command' },
};

/**
 * A write route's request refused before its command reached the service (a
 * role that may not, a malformed body) is audited as that command all the
 * same: the trail names every refused attempt, whatever refused it
 * (docs/security.md, "Commands"). A request without a known token (401) has
 * no actor to audit and is only logged.
 */
export function auditRefusedCommands(app: FastifyInstance, deps: Pick<HttpDeps, 'commands' | 'clock'>): void {
  app.addHook('onResponse', async (request, reply) => {
    const name = request.routeOptions.config.command;
    const refusal = REFUSALS[reply.statusCode];
    if (!name || !refusal || !request.principal || reachedService.has(request) || !deps.commands) return;
    deps.commands.auditRefused(
      {
        name,
        id: idempotencyKey(request) ?? randomUUID(),
        body: request.body ?? {},
        actor: { via: 'http', principal: request.principal.name, role: request.principal.role },
        receivedAt: deps.clock.now(),
      },
      refusal,
    );
  });
}
