import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PassageRecord } from '../../../src/core/lane-types.js';
import type { AnyDevice } from '../../../src/drivers/device.js';
import { GatewayMetrics } from '../../../src/http/metrics.js';
import { VERSION } from '../../../src/version.js';
import { describeWithTools } from '../../../support/tools/system-tools.js';
import { startHttpFixture, type HttpFixture } from '../../../support/gateway/http-fixture.js';

/** promtool's lint of an exposition: its complaints, one a line; empty when clean. */
function promtool(exposition: string): { status: number | null; complaints: string } {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, complaints: `${run.stdout}${run.stderr}`.trim() };
}

function passage(id: string, verdict: 'grant' | 'deny', reasons: PassageRecord['decision']['reasons']): PassageRecord {
  return {
    id,
    at: Date.now(),
    gate: 'north',
    lane: 'p1',
    direction: 'in',
    kind: 'pedestrian',
    credential: 'health-pass',
    decision: { verdict, reasons, rule: 'test', policyVersion: 'test-1' },
    temperatureC: 36.6,
    readings: [36.6],
    mode: 'normal',
  };
}

/** The value of one sample line, `name{labels} value`. */
const sample = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

describeWithTools(['promtool'], 'GET /metrics under promtool', () => {
  let fx: HttpFixture;
  beforeAll(async () => {
    fx = await startHttpFixture();
  }, 30_000);
  afterAll(async () => fx?.stop());

  it('is promtool clean, Node.js defaults included, and carries build_info = 1', async () => {
    const response = await fx.app.inject({ url: '/metrics', headers: fx.auth('auditor') });
    expect(response.statusCode).toBe(200);
    expect(promtool(response.body)).toEqual({ status: 0, complaints: '' });
    expect(sample(response.body, `gatewarden_build_info{version="${VERSION}",node="${process.versions.node}"}`)).toBe(1);
    // The by-type gauges stay; only their misnamed `_total` sums went.
    expect(response.body).toContain('# TYPE nodejs_active_resources gauge');
    expect(response.body).not.toMatch(/^nodejs_active_\w+_total/m);
  });

  it('counts the bytes each serial line dropped as noise, as they grow', async () => {
    const line = { id: 'gate-qr', role: 'scanner' as const, noiseBytes: 0, status: () => ({ availability: 'online' as const }), onStatus: () => undefined };
    const metrics = new GatewayMetrics([line as unknown as AnyDevice], () => ({ depth: 0, oldestAgeMs: null }), () => 0);
    line.noiseBytes = 120;
    expect(sample((await metrics.render()).body, 'gatewarden_line_noise_bytes_total{device="gate-qr",role="scanner"}')).toBe(120);
    line.noiseBytes = 200;
    const { body } = await metrics.render();
    expect(sample(body, 'gatewarden_line_noise_bytes_total{device="gate-qr",role="scanner"}')).toBe(200);
    expect(promtool(body)).toEqual({ status: 0, complaints: '' });
  });

  it('counts each decision once in decisions_total and each of its reasons in decision_reasons_total', async () => {
    const metrics = new GatewayMetrics([], () => ({ depth: 0, oldestAgeMs: null }), () => 0);
    metrics.observePassage(passage('a', 'deny', ['CODE_RED', 'FEVER', 'CODE_REPLAYED']), 120);
    metrics.observePassage(passage('b', 'grant', ['CODE_GREEN', 'TEMP_NORMAL']), 80);
    metrics.observePassage(passage('c', 'deny', ['FEVER']), null);
    const { body } = await metrics.render();
    expect(promtool(body)).toEqual({ status: 0, complaints: '' });
    const decisions = [...body.matchAll(/^gatewarden_decisions_total\{[^}]*\} (\S+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(decisions).toBe(3);
    expect(sample(body, 'gatewarden_decisions_total{gate="north",lane="p1",verdict="deny"}')).toBe(2);
    expect(sample(body, 'gatewarden_decisions_total{gate="north",lane="p1",verdict="grant"}')).toBe(1);
    expect(sample(body, 'gatewarden_decision_reasons_total{reason="FEVER"}')).toBe(2);
    expect(sample(body, 'gatewarden_decision_reasons_total{reason="CODE_RED"}')).toBe(1);
    expect(body).not.toMatch(/gatewarden_decisions_total\{[^}]*reason=/);
  });
});
