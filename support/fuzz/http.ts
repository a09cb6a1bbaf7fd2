import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startHttpFixture } from '../gateway/http-fixture.js';
import { altered } from './commands.js';
import type { FuzzTarget, Prepared } from './target.js';

const LATER = '2099-01-01T00:00:00Z';

/** The app's routes with a valid body each (GET routes none); `:x` segments are filled with fuzzed ids. The live feed is left out: a stream never ends. */
const ROUTES: ReadonlyArray<{ method: 'GET' | 'POST'; url: string; body?: Record<string, unknown> }> = [
  { method: 'POST', url: '/api/mode/lockdown', body: { reason: 'fuzz lockdown', gates: ['main'], expiresAt: LATER } },
  { method: 'POST', url: '/api/mode/lift', body: { reason: 'fuzz lift' } },
  { method: 'POST', url: '/api/lanes/:gate/:lane/release', body: { reason: 'fuzz release' } },
  { method: 'POST', url: '/api/visitors', body: { subject: 'visitor-1', hostHousehold: '1-101', validUntil: LATER, origin: '350502' } },
  { method: 'POST', url: '/api/exit-passes', body: { subject: 'resident-1', reason: 'fuzz exit', returnBy: LATER } },
  { method: 'POST', url: '/api/visitors/:passId/revoke', body: { reason: 'fuzz revoke' } },
  { method: 'POST', url: '/api/exit-passes/:passId/revoke', body: { reason: 'fuzz revoke' } },
  { method: 'POST', url: '/api/alerts/:id/ack', body: { note: 'seen' } },
  { method: 'GET', url: '/api/passages' },
  { method: 'GET', url: '/api/passages.csv' },
  { method: 'GET', url: '/api/alerts' },
  { method: 'GET', url: '/api/audit' },
  { method: 'GET', url: '/api/trace' },
  { method: 'GET', url: '/api/exit-passes' },
  { method: 'GET', url: '/api/lanes/:gate/:lane/scanned-pass' },
  { method: 'GET', url: '/api/lanes' },
  { method: 'GET', url: '/api/lanes/today' },
  { method: 'GET', url: '/api/mode' },
  { method: 'GET', url: '/api/session' },
  { method: 'GET', url: '/readyz' },
  { method: 'GET', url: '/:gate' },
];

const QUERY_KEYS = ['subject', 'hash', 'from', 'to', 'windowMin', 'gate', 'lane', 'verdict', 'limit', 'cursor', 'passageId', 'bom', 'lang', 'type', '__proto__', 'constructor[prototype][x]'];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/problem+json', 'application/json; charset=latin1'];

interface Request {
  method: string;
  url: string;
  role: 'guard' | 'manager' | 'approver' | 'auditor' | 'unknown' | 'none' | 'garbage';
  contentType: string | undefined;
  idempotencyKey: string | undefined;
  body: string | Buffer | undefined;
}

/**
 * HTTP requests through fastify inject() against the app of src/http/app.ts
 * on a whole gateway with a real SQLite file (support/gateway/http-fixture.ts),
 * commands run by the gateway's own CommandService: every route with fuzzed
 * ids, queries, tokens of every role (and none, and forged ones), content
 * types, and bodies (valid ones altered in one place, random JSON, random
 * bytes, nesting past any depth limit, prototype keys, more than the body
 * limit). No request crashes the app (no 500, no rejected inject), and every
 * error is an application/problem+json with a GW_ code.
 */
export const httpTarget: FuzzTarget = {
  name: 'http',
  what: 'HTTP bodies, queries and tokens (src/http/app.ts via fastify inject(), gateway commands and SQLite file)',
  async prepare(): Promise<Prepared<Request>> {
    const fixture = await startHttpFixture({ rateLimit: { max: 1_000_000_000, windowMs: 60_000 }, gatewayCommands: true });
    const counts: Record<string, number> = {};
    const segment = fc.oneof(fc.constantFrom('main', 'in', 'out', 'nowhere', '..', '%2e%2e', '%00', 'a'.repeat(80)), fc.string({ maxLength: 20 }).map(encodeURIComponent));
    const query = fc.array(fc.tuple(fc.constantFrom(...QUERY_KEYS), fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('2027-01-01T00:00:00Z', '-1', '1e309', 'NaN', 'main', 'grant', 'resident-1'))), { maxLength: 4 });
    const route = fc.constantFrom(...ROUTES);
    const body = (valid: Record<string, unknown> | undefined): fc.Arbitrary<string | Buffer | undefined> =>
      fc.oneof(
        { arbitrary: valid ? altered(valid).map((b) => JSON.stringify(b)) : fc.constant(undefined), weight: 5 },
        fc.json({ maxDepth: 4 }),
        fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
        fc.integer({ min: 40, max: 30_000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
        fc.constantFrom('{"__proto__":{"role":"manager","mode":"emergency-open"}}', '{"constructor":{"prototype":{"isAdmin":true}}}', '', 'null', '"x"', `{"reason":"${'x'.repeat(70_000)}"}`),
      );
    const arbitrary = fc
      .record({
        route,
        method: fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD')),
        params: fc.array(segment, { minLength: 3, maxLength: 3 }),
        query,
        role: fc.constantFrom('guard' as const, 'manager' as const, 'approver' as const, 'auditor' as const, 'unknown' as const, 'none' as const, 'garbage' as const),
        contentType: fc.oneof({ arbitrary: fc.constant('application/json'), weight: 6 }, fc.constantFrom(undefined, ...CONTENT_TYPES), fc.string({ maxLength: 30 })),
        idempotencyKey: fc.option(fc.oneof(fc.constantFrom('fuzz-key-0001', 'fuzz-key-0002'), fc.string({ maxLength: 140 })), { nil: undefined }),
      })
      .chain((r) =>
        body(r.route.body).map((b): Request => {
          let i = 0;
          const path = r.route.url.replace(/:[a-zA-Z]+/g, () => r.params[i++] ?? 'x');
          const search = r.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
          return { method: r.method ?? r.route.method, url: search ? `${path}?${search}` : path, role: r.role, contentType: r.contentType, idempotencyKey: r.idempotencyKey, body: r.route.method === 'POST' || r.method !== undefined ? b : undefined };
        }),
      );
    const authorization = (role: Request['role']): Record<string, string> =>
      role === 'none' ? {} : role === 'garbage' ? { authorization: 'Bearer forged-token-0000000000000000000000' } : fixture.auth(role);
    return {
      arbitrary,
      stats: () => ({ ...counts }),
      stop: () => fixture.stop(),
      async check(request) {
        const headers: Record<string, string> = { ...authorization(request.role) };
        if (request.contentType !== undefined) headers['content-type'] = request.contentType;
        if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
        const response = await fixture.app.inject({ method: request.method as 'GET', url: request.url, headers, ...(request.body === undefined ? {} : { payload: request.body }) });
        counts[String(response.statusCode)] = (counts[String(response.statusCode)] ?? 0) + 1;
        // 503 is /readyz saying not ready (the harness's broker session comes and goes); anything else 5xx is a crash.
        const readiness = request.url.startsWith('/readyz');
        assert.ok(response.statusCode < 500 || (readiness && response.statusCode === 503), `HTTP ${response.statusCode}: ${response.body.slice(0, 300)}`);
        if (response.statusCode >= 400 && request.method !== 'HEAD' && !readiness) {
          assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
          assert.match((JSON.parse(response.body) as { code?: string }).code ?? '', /^GW_[A-Z_]+$/);
        }
      },
    };
  },
};
