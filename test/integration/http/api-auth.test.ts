import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiRole } from '../../../src/core/roles.js';
import { startHttpFixture, type HttpFixture } from '../../../support/gateway/http-fixture.js';

/**
 * Every route of the API refuses a request without a token, with an unknown
 * token, with a token of the wrong role and with a malformed body: each time a
 * problem+json answer with a stable code, and nothing changed.
 */

interface RouteCase {
  method: 'GET' | 'POST';
  url: string;
  roles: readonly ApiRole[];
  body?: unknown;
}

const ALL: readonly ApiRole[] = ['guard', 'manager', 'approver', 'auditor'];
/** The approver (exit passes) reads only its session and the mode. */
const READERS: readonly ApiRole[] = ['guard', 'manager', 'auditor'];
const future = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

const ROUTES: RouteCase[] = [
  { method: 'GET', url: '/readyz', roles: READERS },
  { method: 'GET', url: '/metrics', roles: READERS },
  { method: 'GET', url: '/openapi.json', roles: READERS },
  { method: 'GET', url: '/api/session', roles: ALL },
  { method: 'GET', url: '/api/lanes', roles: READERS },
  { method: 'GET', url: '/api/devices', roles: READERS },
  { method: 'GET', url: '/api/estate', roles: ALL },
  { method: 'GET', url: '/api/lanes/today', roles: READERS },
  { method: 'GET', url: '/api/lanes/main/in/scanned-pass?passageId=none', roles: ['guard', 'manager'] },
  { method: 'GET', url: '/api/passages', roles: READERS },
  { method: 'GET', url: '/api/passages.csv', roles: READERS },
  { method: 'GET', url: '/api/alerts', roles: READERS },
  { method: 'GET', url: '/api/mode', roles: ALL },
  { method: 'GET', url: '/api/events', roles: READERS },
  { method: 'GET', url: '/api/audit', roles: ['manager', 'auditor'] },
  { method: 'POST', url: '/api/lanes/main/in/release', roles: ['guard', 'manager'], body: { reason: 'delivery with both hands full' } },
  { method: 'POST', url: '/api/alerts/ALERT/ack', roles: ['guard', 'manager'], body: {} },
  { method: 'POST', url: '/api/mode/lockdown', roles: ['guard', 'manager'], body: { reason: 'confirmed case in block 3' } },
  { method: 'POST', url: '/api/mode/lift', roles: ['manager'], body: { reason: 'district CDC lifted the lockdown' } },
  { method: 'POST', url: '/api/visitors', roles: ['guard', 'manager'], body: { subject: 'visitor-1', hostHousehold: '1-101', validUntil: future(4) } },
  { method: 'POST', url: '/api/visitors/V-1/revoke', roles: ['guard', 'manager'], body: { reason: 'visit cancelled by the host' } },
  { method: 'POST', url: '/api/exit-passes', roles: ['approver'], body: { subject: 'resident-1', reason: 'hospital appointment', returnBy: future(6) } },
  { method: 'GET', url: '/api/exit-passes', roles: ['manager', 'approver', 'auditor'] },
  { method: 'POST', url: '/api/exit-passes/E-1/revoke', roles: ['approver'], body: { reason: 'appointment moved' } },
];

const WRITES = ROUTES.filter((route) => route.method === 'POST');

let fx: HttpFixture;
let alertId: string;

beforeAll(async () => {
  fx = await startHttpFixture();
  alertId = fx.harness.gateway.journal.recordAlert({ type: 'fever', severity: 'critical', at: Date.now(), gate: 'main', lane: 'in', reasons: ['FEVER'], details: { temperatureC: 38.5 } });
  for (const route of ROUTES) route.url = route.url.replace('ALERT', alertId);
});
afterAll(async () => fx?.stop());

function alertRow() {
  return fx.harness.gateway.db.prepare('SELECT acked_at, acked_by FROM alerts WHERE id = ?').get(alertId) as { acked_at: number | null; acked_by: string | null };
}

function expectProblem(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number, code: string) {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json() as Record<string, unknown>;
  expect(body).toMatchObject({ status, code, type: `urn:gatewarden:problem:${code.toLowerCase().replace(/^gw_/, '').replace(/_/g, '-')}` });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  return body;
}

function expectNothingChanged() {
  expect(fx.commands.requests).toEqual([]);
  expect(alertRow()).toEqual({ acked_at: null, acked_by: null });
}

describe('authentication', () => {
  it.each(ROUTES.map((route) => [`${route.method} ${route.url.replace(/[0-9a-f-]{36}/, ':id')}`, route] as const))('%s without a token: 401', async (_name, route) => {
    const response = await fx.app.inject({ method: route.method, url: route.url, ...(route.body ? { payload: route.body } : {}) });
    expectProblem(response, 401, 'GW_HTTP_UNAUTHORIZED');
    expect(response.headers['www-authenticate']).toBe('Bearer realm="gatewarden"');
    expectNothingChanged();
  });

  it.each(ROUTES.map((route) => [`${route.method} ${route.url.replace(/[0-9a-f-]{36}/, ':id')}`, route] as const))('%s with a token the gateway never issued: 401', async (_name, route) => {
    const response = await fx.app.inject({ method: route.method, url: route.url, headers: fx.auth('unknown'), ...(route.body ? { payload: route.body } : {}) });
    expectProblem(response, 401, 'GW_HTTP_UNAUTHORIZED');
    expectNothingChanged();
  });

  it('refuses a malformed Authorization header and a token in another scheme', async () => {
    for (const authorization of ['Bearer', `Basic ${fx.tokens.manager}`, `Bearer ${fx.tokens.manager} extra`, fx.tokens.manager]) {
      expectProblem(await fx.app.inject({ url: '/api/lanes', headers: { authorization } }), 401, 'GW_HTTP_UNAUTHORIZED');
    }
  });

  it('leaves /healthz and the page open without a token, and nothing else', async () => {
    expect((await fx.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const page = await fx.app.inject({ url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    for (const url of ['/app.js', '/app.css', '/i18n.js', '/labels.json']) expect((await fx.app.inject({ url })).statusCode).toBe(200);
    expectProblem(await fx.app.inject({ url: '/api/nothing-here' }), 401, 'GW_HTTP_UNAUTHORIZED');
    expectProblem(await fx.app.inject({ url: '/api/nothing-here', headers: fx.auth('guard') }), 404, 'GW_HTTP_NOT_FOUND');
  });
});

describe('authorization by role', () => {
  const wrongRole = ROUTES.flatMap((route) => ALL.filter((role) => !route.roles.includes(role)).map((role) => [`${route.method} ${route.url.replace(/[0-9a-f-]{36}/, ':id')} as ${role}`, route, role] as const));

  it.each(wrongRole)('%s: 403', async (_name, route, role) => {
    const response = await fx.app.inject({ method: route.method, url: route.url, headers: fx.auth(role), ...(route.body ? { payload: route.body } : {}) });
    const body = expectProblem(response, 403, 'GW_HTTP_FORBIDDEN');
    expect(body.detail).toContain(`role ${role} may not use`);
    expectNothingChanged();
  });
});

describe('malformed requests', () => {
  /** A valid body made wrong in one way: the problem names the key. */
  const spoil = (body: Record<string, unknown>): Array<[string, unknown, string]> => {
    const textKey = Object.keys(body).find((key) => typeof body[key] === 'string') ?? 'note';
    return [
      ['an array', [], '(root): expected object'],
      ['an unknown key', { ...body, admin: true }, 'admin: unknown key'],
      ['a number where text belongs', { ...body, [textKey]: 42 }, `${textKey}: expected string`],
    ];
  };
  const cases = WRITES.flatMap((route) => spoil(route.body as Record<string, unknown>).map(([what, body, message]) => [`${route.url.replace(/[0-9a-f-]{36}/, ':id')} with ${what}`, route, body, message] as const));

  it.each(cases)('%s: 400 naming the key', async (_name, route, body, message) => {
    const role = route.roles[0] as ApiRole;
    const response = await fx.app.inject({ method: 'POST', url: route.url, headers: fx.auth(role), payload: body as object });
    const problem = expectProblem(response, 400, 'GW_HTTP_INVALID');
    expect(problem.errors).toContain(message);
    expectNothingChanged();
  });

  it.each(WRITES.map((route) => [route.url.replace(/[0-9a-f-]{36}/, ':id'), route] as const))('%s with a body that is not JSON: 400', async (_name, route) => {
    const response = await fx.app.inject({ method: 'POST', url: route.url, headers: { ...fx.auth(route.roles[0] as ApiRole), 'content-type': 'application/json' }, payload: '{"reason": ' });
    expectProblem(response, 400, 'GW_HTTP_INVALID');
    expectNothingChanged();
  });

  it('refuses a required key missing, a reason too short, a bad time and an unknown lane', async () => {
    const guard = fx.auth('guard');
    const missing = expectProblem(await fx.app.inject({ method: 'POST', url: '/api/visitors', headers: guard, payload: { subject: 'v-1' } }), 400, 'GW_HTTP_INVALID');
    expect(missing.errors).toEqual(expect.arrayContaining(['hostHousehold: required key is missing', 'validUntil: required key is missing']));
    const short = expectProblem(await fx.app.inject({ method: 'POST', url: '/api/mode/lockdown', headers: guard, payload: { reason: 'x' } }), 400, 'GW_HTTP_INVALID');
    expect(short.errors).toEqual(['reason: expected at least 3 characters']);
    const time = expectProblem(await fx.app.inject({ method: 'POST', url: '/api/visitors', headers: guard, payload: { subject: 'v', hostHousehold: '1-101', validUntil: 'tomorrow' } }), 400, 'GW_HTTP_INVALID');
    expect(time.errors).toEqual(['validUntil: expected an ISO 8601 date-time on a day that exists (YYYY-MM-DDThh:mm[:ss], Z or ±hh:mm)']);
    expectProblem(await fx.app.inject({ method: 'POST', url: '/api/lanes/main/nowhere/release', headers: guard, payload: { reason: 'a good reason' } }), 404, 'GW_HTTP_NOT_FOUND');
    expectProblem(await fx.app.inject({ method: 'POST', url: '/api/lanes/MAIN/in/release', headers: guard, payload: { reason: 'a good reason' } }), 400, 'GW_HTTP_INVALID');
    expectProblem(await fx.app.inject({ url: '/api/passages?limit=0', headers: guard }), 400, 'GW_HTTP_INVALID');
    expectProblem(await fx.app.inject({ url: '/api/passages?verdict=maybe', headers: guard }), 400, 'GW_HTTP_INVALID');
    expectProblem(await fx.app.inject({ url: '/api/passages?sort=at', headers: guard }), 400, 'GW_HTTP_INVALID');
    expectNothingChanged();
  });

  // Found from outside: validUntil 2027-02-31 was accepted and stored as 3 March.
  it('refuses a day that does not exist (31 February, 29 February 2027, 31 April), naming the field', async () => {
    const impossible = ['2027-02-31T10:00:00Z', '2027-02-29T10:00:00Z', '2027-04-31T10:00:00+08:00'];
    const requests = impossible.flatMap((time) => [
      { role: 'guard' as const, url: '/api/visitors', payload: { subject: 'v-31', hostHousehold: '1-101', validUntil: time }, field: 'validUntil' },
      { role: 'guard' as const, url: '/api/visitors', payload: { subject: 'v-31', hostHousehold: '1-101', validFrom: time, validUntil: '2027-05-01T10:00:00Z' }, field: 'validFrom' },
      { role: 'approver' as const, url: '/api/exit-passes', payload: { subject: 'r-31', reason: 'hospital appointment', returnBy: time }, field: 'returnBy' },
    ]);
    for (const { role, url, payload, field } of requests) {
      const problem = expectProblem(await fx.app.inject({ method: 'POST', url, headers: fx.auth(role), payload }), 400, 'GW_HTTP_INVALID');
      expect(problem.errors).toEqual([expect.stringMatching(new RegExp(`^${field}: expected an ISO 8601 date-time on a day that exists`))]);
    }
    const query = expectProblem(await fx.app.inject({ url: '/api/passages?from=2027-02-31T00:00:00Z', headers: fx.auth('guard') }), 400, 'GW_HTTP_INVALID');
    expect(query.errors).toEqual([expect.stringMatching(/^from: /)]);
    expectNothingChanged();
  });

  it('refuses a body over the size limit', async () => {
    const response = await fx.app.inject({ method: 'POST', url: '/api/mode/lockdown', headers: fx.auth('guard'), payload: { reason: 'x'.repeat(70_000) } });
    expectProblem(response, 413, 'GW_HTTP_INVALID');
    expectNothingChanged();
  });
});
