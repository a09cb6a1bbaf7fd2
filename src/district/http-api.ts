import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { EstateSummary, OpenAlert } from './receiver-views.js';
import type { Finding } from './report-store.js';
import { renderStatusPage } from './status-page.js';

export interface DistrictApiDeps {
  districtName: string;
  estates(): Promise<EstateSummary[]>;
  alerts(): Promise<OpenAlert[]>;
  findings(filter: { estate?: string; kind?: string; limit?: number }): Promise<Finding[]>;
  connected(): boolean;
  registry: Registry;
  /** When set, every route but /healthz needs `Authorization: Bearer <token>`. */
  token?: string;
}

/**
 * The receiver's small API and page (fastify): estates with online, silence,
 * age of the last report and completeness; open alerts; findings; /metrics.
 * Read-only. Built apart from listen() so tests can inject().
 */
export function buildDistrictApp(deps: DistrictApiDeps): FastifyInstance {
  const app = Fastify({ logger: false });
  if (deps.token !== undefined) {
    const expected = Buffer.from(`Bearer ${deps.token}`);
    app.addHook('onRequest', async (request, reply) => {
      if (request.url === '/healthz') return;
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) await reply.code(401).send({ error: { code: 'GW_HTTP_UNAUTHORIZED', message: 'Authorization: Bearer <token> required' } });
    });
  }
  app.get('/healthz', async () => ({ ok: true, broker: deps.connected() }));
  app.get('/metrics', async (_request, reply) => reply.type(deps.registry.contentType).send(await deps.registry.metrics()));
  app.get('/api/estates', async () => deps.estates());
  app.get<{ Params: { id: string } }>('/api/estates/:id', async (request, reply) => {
    const estate = (await deps.estates()).find((candidate) => candidate.estate === request.params.id);
    if (!estate) return reply.code(404).send({ error: { code: 'GW_HTTP_NOT_FOUND', message: `no estate ${request.params.id}` } });
    return { ...estate, recentFindings: await deps.findings({ estate: estate.estate, limit: 50 }) };
  });
  app.get('/api/alerts', async () => deps.alerts());
  app.get<{ Querystring: { estate?: string; kind?: string; limit?: string } }>('/api/findings', async (request) => {
    const limit = Math.min(1000, Math.max(1, Number(request.query.limit ?? 100) || 100));
    return deps.findings({ ...(request.query.estate ? { estate: request.query.estate } : {}), ...(request.query.kind ? { kind: request.query.kind } : {}), limit });
  });
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(renderStatusPage(deps.districtName, await deps.estates(), (await deps.alerts()).length)));
  return app;
}
