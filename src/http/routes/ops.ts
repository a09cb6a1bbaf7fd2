import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { isTrustStale } from '../../core/trust-list.js';
import { ANY_ROLE } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { problemResponses } from '../problem.js';
import { probeRead } from '../../store/database.js';

const Check = Type.Object({ name: Type.String(), ok: Type.Boolean(), reason: Type.Optional(Type.String()) });
const Readiness = Type.Object({ ready: Type.Boolean(), checks: Type.Array(Check) });

/** Liveness, readiness and Prometheus metrics. */
export function opsRoutes(app: FastifyInstance, deps: HttpDeps): void {
  app.get(
    '/healthz',
    {
      config: { auth: 'public', rateLimit: false },
      schema: { operationId: 'getLiveness', tags: ['ops'], summary: 'Liveness: the process answers', security: [], response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { auth: ANY_ROLE },
      schema: {
        operationId: 'getReadiness',
        tags: ['ops'],
        summary: 'Readiness: database, broker link, every lane device, trust-list freshness; the reasons when not ready',
        response: { 200: Readiness, 503: Readiness, ...problemResponses(401, 403) },
      },
    },
    async (_request, reply) => {
      const checks = readiness(deps);
      const ready = checks.every((check) => check.ok);
      return reply.code(ready ? 200 : 503).send({ ready, checks });
    },
  );

  app.get(
    '/metrics',
    {
      config: { auth: ANY_ROLE },
      schema: { operationId: 'getMetrics', tags: ['ops'], summary: 'Prometheus metrics (text exposition format)', response: { 200: Type.String(), ...problemResponses(401, 403) } },
    },
    async (_request, reply) => {
      const { contentType, body } = await deps.metrics.render();
      return reply.type(contentType).send(body);
    },
  );
}

/** A write probe and the file's identity when the gateway watches the database; a read otherwise. */
function databaseHealth(deps: HttpDeps): { ok: boolean; reason?: string } {
  if (deps.storage) return deps.storage.check();
  try {
    probeRead(deps.db);
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

function readiness(deps: HttpDeps): Array<{ name: string; ok: boolean; reason?: string }> {
  const checks: Array<{ name: string; ok: boolean; reason?: string }> = [{ name: 'database', ...databaseHealth(deps) }];
  const broker = deps.brokerConnected();
  checks.push({ name: 'broker', ok: broker, ...(broker ? {} : { reason: 'the gateway is not connected to the MQTT broker; messages wait in the outbox' }) });
  // Every device a lane uses is required: a missing one sends the lane to refer or degraded.
  const required = new Set([...deps.lanes.values()].flatMap((lane) => lane.snapshot().devices.map((device) => device.id)));
  for (const id of required) {
    const status = deps.devices.get(id)?.status();
    const ok = status !== undefined && status.availability !== 'offline';
    checks.push({ name: `device:${id}`, ok, ...(ok ? {} : { reason: status?.lastError ? `${status.lastError.code}: ${status.lastError.message}` : 'offline' }) });
  }
  const now = deps.clock.now();
  const stale = isTrustStale(deps.estate.trust, now);
  const ageHours = Math.round((now - deps.estate.trust.refreshedAt) / 360_000) / 10;
  checks.push({ name: 'trust-list', ok: !stale, ...(stale ? { reason: `trust list is ${ageHours} h old, past its maximum age: health passes are referred to the guard` } : {}) });
  return checks;
}
