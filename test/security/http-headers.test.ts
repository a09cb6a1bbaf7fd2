import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpProcess } from './http-process.js';

/** Issue 12, Low: "No CSP, nosniff or frame-ancestors headers." */
describe('http: security headers on the page and the API', () => {
  const gateway = new HttpProcess();

  beforeAll(() => gateway.start(), 40_000);
  afterAll(() => gateway.remove());

  it.each([
    ['the page', '/', undefined, 200],
    ['a page script', '/app.js', undefined, 200],
    ['the API without a token', '/api/lanes', undefined, 401],
    ['the API with a token', '/api/lanes', 'guard', 200],
  ])('%s carries CSP, nosniff, no framing and no referrer', async (_what, path, role, status) => {
    const response = await gateway.get(path, role);
    expect(response.status).toBe(status);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    // It would send the page's files to a port without TLS on the loopback listener.
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });
});
