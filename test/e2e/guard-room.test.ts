import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PassIssuer } from '../../src/demo/pass-issuer.js';
import { generateApiToken, hashApiToken } from '../../src/http/api-tokens.js';
import { generateEd25519 } from '../../src/secrets.js';
import { startHarness, waitFor, type Harness } from '../../support/gateway/gateway-harness.js';
import { RESIDENT, showCardThenPass } from '../helpers/resident.js';
import { describeWithTools } from '../../support/tools/system-tools.js';

/**
 * The guard-room page in Debian's Chromium against a whole gateway on virtual
 * devices: what a guard does on the tablet, step by step, with a screenshot of
 * each view in test-artifacts/guard-room/.
 */
const ARTIFACTS = join('test-artifacts', 'guard-room');
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const UI_TIMEOUT = 15_000;

/** The few DOM calls the assertions make, typed here since the project compiles without the DOM library. */
interface Dom {
  getComputedStyle(node: unknown): Record<string, string>;
  __beeps?: number;
}
const style = (locator: Locator, property: string) => locator.evaluate((node, p) => (globalThis as unknown as Dom).getComputedStyle(node)[p], property);

describeWithTools(['/usr/bin/chromium'], 'guard-room page in Chromium', () => {
  const tokens = { guard: generateApiToken(), auditor: generateApiToken() };
  const issuerKey = generateEd25519('e2e-issuer');
  const issuer = new PassIssuer(issuerKey.kid, issuerKey.privateKey);
  let harness: Harness;
  let browser: Browser;
  let page: Page;
  let url: string;

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const lane = (gate: string, id: string) => page.getByTestId(`lane-${gate}-${id}`);
  const api = async (path: string, token: string) => (await (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: Array<Record<string, unknown>> };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    harness = await startHarness({
      http: {
        enabled: true,
        host: '127.0.0.1',
        port: 0,
        tokens: [
          { name: 'guard-wang', role: 'guard', hash: hashApiToken(tokens.guard) },
          { name: 'auditor-li', role: 'auditor', hash: hashApiToken(tokens.auditor) },
        ],
      },
      trust: { maxAgeHours: 24, issuers: [{ kid: issuerKey.kid, publicKey: issuerKey.publicKey }] },
    });
    url = harness.gateway.http?.url ?? '';
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1024, height: 768 }, locale: 'zh-CN' });
    page.setDefaultTimeout(UI_TIMEOUT);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await harness?.stop();
  });

  it('1. logs in with a guard token and shows every lane live', async () => {
    await page.goto(url);
    await shot('0-login');
    await page.getByTestId('token').fill(tokens.guard);
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('who').textContent(), { timeout: UI_TIMEOUT }).toContain('guard-wang (guard)');
    await page.waitForSelector('body[data-live="on"]');
    expect(await page.locator('[data-testid^="lane-"]').count()).toBe(harness.gateway.lanes.size);
    expect(await page.getByTestId('mode-badge').textContent()).toBe('正常');
    await shot('1-lanes');
  });

  it('2. shows a fever alert the moment it is raised, in red and with a beep', async () => {
    harness.thermometer('in-thermo').present(38.5);
    const nowS = Math.floor(Date.now() / 1000);
    showCardThenPass(harness.scanner('in-scanner'), issuer.issue({ sub: RESIDENT.subject, col: 'green', iat: nowS - 60, exp: nowS + 3600 }));
    const item = page.getByTestId('feed-fever');
    await item.waitFor();
    expect(await item.textContent()).toContain('发热');
    expect(await style(item, 'borderLeftColor')).toBe('rgb(198, 40, 40)');
    await page.getByTestId('feed-suspected-case').waitFor();
    const card = lane('main', 'in');
    await expect.poll(() => card.getByTestId('reasons').textContent(), { timeout: UI_TIMEOUT }).toContain('发热（复测确认）');
    expect(await card.getByTestId('verdict').textContent()).toContain('拒绝');
    // The whole card in the verdict's colour, readable from a metre.
    expect(await style(card, 'backgroundColor')).toBe('rgb(198, 40, 40)');
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as Dom).__beeps ?? 0), { timeout: UI_TIMEOUT }).toBeGreaterThanOrEqual(1);
    await shot('2-fever-alert');
    const metrics = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${tokens.auditor}` } })).text();
    expect(metrics).toContain('gatewarden_decisions_total{gate="main",lane="in",verdict="deny"} 1');
    expect(metrics).toContain('gatewarden_decision_reasons_total{reason="FEVER"} 1');
    expect(metrics).toMatch(/gatewarden_decision_latency_seconds_count\{gate="main",lane="in",verdict="deny"\} 1/);
  });

  it('3. acknowledges the fever alert', async () => {
    await page.getByTestId('tab-alerts').click();
    const row = page.getByTestId('alert-row-fever');
    await row.getByTestId('ack').click();
    await page.getByTestId('alerts-table').locator('tr[data-testid="alert-row-fever"]').waitFor({ state: 'detached' });
    const id = await waitFor(() => harness.gateway.db.prepare("SELECT id FROM alerts WHERE type = 'fever' AND acked_by IS NOT NULL").get() as { id: string } | undefined, 'the ack in the database');
    const acked = await api(`/api/alerts?type=fever`, tokens.guard);
    expect(acked.items[0]).toMatchObject({ id: id.id, ackedBy: 'guard-wang' });
    await page.locator('#alerts-unacked').uncheck();
    expect(await page.getByTestId('alert-row-fever').getByTestId('ack-cell').textContent()).toBe('已确认：guard-wang');
    await shot('3-alert-acknowledged');
  });

  it('4. switches lockdown on after confirmation, and the lanes view shows a visitor refused with the reason', async () => {
    await page.getByRole('tab', { name: '通道' }).click();
    await page.getByTestId('lockdown-toggle').click();
    await page.getByTestId('confirm').waitFor();
    await shot('4-lockdown-confirm');
    await page.getByTestId('confirm-reason').fill('3号楼确诊病例，全面封控');
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => page.getByTestId('mode-badge').textContent(), { timeout: UI_TIMEOUT }).toBe('封控');
    expect(harness.gateway.estate.mode).toBe('lockdown');
    // Every lane card shows the lockdown at once, before anyone passes.
    await expect.poll(() => lane('main', 'out').getByTestId('lane-mode').textContent(), { timeout: UI_TIMEOUT }).toBe('封控');
    const now = Math.floor(Date.now() / 1000);
    harness.thermometer('in-thermo').present(36.6);
    harness.scanner('in-scanner').scan(issuer.issue({ sub: 'visitor-zhao', col: 'green', iat: now - 60, exp: now + 3600 }));
    const passage = await waitFor(() => harness.passages.find((p) => p.credential === 'health-pass'), 'the visitor passage');
    expect(passage.mode).toBe('lockdown');
    expect(passage.decision).toMatchObject({ verdict: 'deny', reasons: expect.arrayContaining(['LOCKDOWN_NO_ENTRY']) });
    const card = lane('main', 'in');
    await expect.poll(() => card.getByTestId('lane-mode').textContent(), { timeout: UI_TIMEOUT }).toBe('封控');
    await expect.poll(() => card.getByTestId('reasons').textContent(), { timeout: UI_TIMEOUT }).toContain('封控期间外来人员禁止进入');
    await shot('4-lockdown-visitor-refused');
  });

  it('5. releases a lane by hand with a reason, and the audit trail has it', async () => {
    const card = lane('main', 'out');
    await card.getByTestId('release').click();
    await page.getByTestId('confirm-reason').fill('快递员双手搬货，人工放行');
    await page.getByTestId('confirm-ok').click();
    await expect.poll(() => page.getByTestId('toast').textContent(), { timeout: UI_TIMEOUT }).toMatch(/^已放行，通行记录 /);
    await expect.poll(() => card.getByTestId('reasons').textContent(), { timeout: UI_TIMEOUT }).toContain('保安人工放行');
    await shot('5-manual-release');
    const audit = await api('/api/audit?name=open', tokens.auditor);
    expect(audit.items[0]).toMatchObject({ name: 'open', via: 'http', principal: 'guard-wang', role: 'guard', ok: true, body: { gate: 'main', lane: 'out', reason: '快递员双手搬货，人工放行' } });
    await page.getByTestId('tab-passages').click();
    await page.getByTestId('passage-search').click();
    await expect.poll(() => page.getByTestId('passages-table').textContent(), { timeout: UI_TIMEOUT }).toContain('保安人工放行');
    await shot('5-passage-search');
  });

  it('6. registers a visitor and shows the pass QR', async () => {
    await page.getByTestId('tab-visitors').click();
    await page.getByTestId('visitor-subject').fill('visitor-zhao');
    await page.getByTestId('visitor-host').fill('2-203');
    await page.getByTestId('visitor-plate').fill('闽D12345');
    await page.getByTestId('visitor-submit').click();
    await page.getByTestId('visitor-pass').waitFor();
    const passId = (await page.getByTestId('visitor-pass-id').textContent()) ?? '';
    expect(passId).toMatch(/^V[A-Za-z0-9_-]{12}$/);
    expect(await page.getByTestId('visitor-qr').evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth > 0)).toBe(true);
    const row = harness.gateway.db.prepare('SELECT host_household, plate, issued_by FROM visitor_passes WHERE id = ?').get(passId);
    expect(row).toEqual({ host_household: '2-203', plate: '闽D12345', issued_by: 'guard-wang' });
    await shot('6-visitor-pass');
  });
});
