import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { ALERT_TYPES } from '../../core/alerts.js';
import { StringEnum } from '../../schema/types.js';
import { ANY_ROLE, GATE_STAFF, principalOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { fail, problemResponses } from '../problem.js';
import { AlertQueries } from '../queries/alerts.js';
import { CURSOR_PATTERN } from '../queries/cursor.js';
import { AlertSchema, PageOf } from '../schemas.js';

const ListQuery = Type.Object(
  {
    type: Type.Optional(StringEnum(ALERT_TYPES)),
    acked: Type.Optional(Type.Boolean()),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    cursor: Type.Optional(Type.String({ pattern: CURSOR_PATTERN })),
  },
  { additionalProperties: false },
);
const AlertParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9-]{1,64}$' }) }, { additionalProperties: false });
const AckBody = Type.Object({ note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });

/**
 * Alerts and their acknowledgement. An acknowledgement is not a gate command
 * (there is no `…/cmd/ack`): it marks the row (acked_at, acked_by); the
 * first one wins and stays.
 */
export function alertRoutes(app: FastifyInstance, deps: HttpDeps, alerts: AlertQueries): void {
  app.get<{ Querystring: Static<typeof ListQuery> }>(
    '/api/alerts',
    { config: { auth: ANY_ROLE }, schema: { operationId: 'listAlerts', tags: ['alerts'], summary: 'Alerts, newest first', querystring: ListQuery, response: { 200: PageOf(AlertSchema), ...problemResponses(400, 401, 403) } } },
    async (request) => {
      const { limit, ...filter } = request.query;
      return alerts.list(filter, limit);
    },
  );

  app.post<{ Params: Static<typeof AlertParams>; Body: Static<typeof AckBody> }>(
    '/api/alerts/:id/ack',
    {
      config: { auth: GATE_STAFF },
      schema: { operationId: 'acknowledgeAlert', tags: ['alerts'], summary: 'Acknowledge an alert (first acknowledgement wins)', params: AlertParams, body: AckBody, response: { 200: AlertSchema, ...problemResponses(400, 401, 403, 404) } },
    },
    async (request) => {
      const principal = principalOf(request);
      const acked = alerts.acknowledge(request.params.id, principal.name, deps.clock.now());
      if (!acked) fail('GW_HTTP_NOT_FOUND', `no alert ${request.params.id}`);
      deps.log.info({ module: 'http', alert: acked.id, by: acked.ackedBy, note: request.body.note }, 'alert acknowledged');
      deps.feed.publish('alert', acked);
      return acked;
    },
  );
}
