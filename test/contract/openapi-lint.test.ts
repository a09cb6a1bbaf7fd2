import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpFixture, type HttpFixture } from '../../support/gateway/http-fixture.js';

/**
 * GET /openapi.json as an integrator's tooling reads it: Redocly CLI (a
 * devDependency) with redocly.yaml, 0 errors and 0 warnings (issue 16).
 */
const REDOCLY = join(process.cwd(), 'node_modules', '.bin', 'redocly');

interface Operation {
  operationId?: string;
  responses: Record<string, unknown>;
}
interface LintReport {
  totals: { errors: number; warnings: number };
  problems: Array<{ ruleId: string; message: string; location: Array<{ pointer: string }> }>;
}

describe('the OpenAPI document', () => {
  let fx: HttpFixture;
  let dir: string;
  let doc: { servers?: unknown[]; info: { license?: unknown }; paths: Record<string, Record<string, Operation>> };

  beforeAll(async () => {
    fx = await startHttpFixture();
    dir = mkdtempSync(join(tmpdir(), 'gatewarden-openapi-'));
    const response = await fx.app.inject({ url: '/openapi.json', headers: fx.auth('auditor') });
    expect(response.statusCode).toBe(200);
    doc = response.json();
  }, 30_000);
  afterAll(async () => {
    await fx?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const operations = () => Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));

  it('passes Redocly lint with 0 errors and 0 warnings', () => {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc));
    // Telemetry and the update check off: the suite never phones home.
    const run = spawnSync(REDOCLY, ['lint', file, '--config', join(process.cwd(), 'redocly.yaml'), '--format=json'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    expect(run.error).toBeUndefined();
    const report = JSON.parse(run.stdout) as LintReport;
    const problems = report.problems.map((p) => `${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
    expect(problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(run.status).toBe(0);
  }, 90_000);

  it('names every operation once, with a 2XX answer, and a 4XX everywhere but the liveness probe (the one rule redocly.yaml turns off)', () => {
    const all = operations();
    expect(all.length).toBeGreaterThan(20);
    const ids = all.map(({ operation }) => operation.operationId);
    expect(ids.filter((id) => id === undefined)).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { path, method, operation } of all) {
      const codes = Object.keys(operation.responses);
      expect(codes.some((code) => code.startsWith('2')), `${method} ${path}`).toBe(true);
      if (path !== '/healthz') expect(codes.some((code) => code.startsWith('4')), `${method} ${path}`).toBe(true);
    }
  });

  it('carries servers and a license', () => {
    expect(doc.servers).toEqual([expect.objectContaining({ url: '/' })]);
    expect(doc.info.license).toMatchObject({ name: 'MIT' });
  });
});
