import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashApiToken, TokenRegistry } from '../../../src/http/api-tokens.js';
import { generateSecrets, loadSecrets } from '../../../src/secrets.js';

const dir = mkdtempSync(join(tmpdir(), 'gatewarden-tokens-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('API tokens in the secrets file', () => {
  it('are generated once per role on first run, stored hashed, and not shown again', () => {
    const path = join(dir, 'secrets.json');
    const first = loadSecrets(path, true, false);
    expect(Object.keys(first.issuedApiTokens ?? {}).sort()).toEqual(['approver', 'auditor', 'guard', 'manager']);
    const stored = readFileSync(path, 'utf8');
    const registry = new TokenRegistry(first.secrets.apiTokens ?? []);
    for (const [role, token] of Object.entries(first.issuedApiTokens ?? {})) {
      expect(stored).not.toContain(token);
      expect(registry.verify(token)).toEqual({ name: `demo-${role}`, role });
    }
    expect(loadSecrets(path, true, false).issuedApiTokens).toBeUndefined();
  });

  it('are added to an older secrets file that has none, keeping its other secrets', () => {
    const path = join(dir, 'old-secrets.json');
    const old = generateSecrets(false);
    writeFileSync(path, JSON.stringify(old), { mode: 0o600 });
    const loaded = loadSecrets(path, true, false);
    expect(loaded.secrets.estateKey).toBe(old.estateKey);
    expect(loaded.issuedApiTokens?.guard).toMatch(/^gw_[A-Za-z0-9_-]{43}$/);
    expect(loaded.secrets.apiTokens).toHaveLength(4);
  });

  it("gain the approver's MQTT password and API token when an older file has neither, keeping the rest", () => {
    const path = join(dir, 'pre-approver-secrets.json');
    const first = loadSecrets(path, true, false).secrets;
    const { approver: _password, ...mqttPasswords } = first.mqttPasswords;
    writeFileSync(path, JSON.stringify({ ...first, mqttPasswords, apiTokens: first.apiTokens?.filter((token) => token.role !== 'approver') }));
    const loaded = loadSecrets(path, true, false);
    expect(Object.keys(loaded.issuedApiTokens ?? {})).toEqual(['approver']);
    expect(loaded.secrets.mqttPasswords.approver).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(loaded.secrets.mqttPasswords.manager).toBe(first.mqttPasswords.manager);
    expect(loaded.secrets.apiTokens?.map((token) => token.role).sort()).toEqual(['approver', 'auditor', 'guard', 'manager']);
    // Without generate nothing is added: a production file is the operator's.
    writeFileSync(path, JSON.stringify({ ...first, mqttPasswords }), { mode: 0o600 });
    expect(loadSecrets(path, false, false).secrets.mqttPasswords.approver).toBeUndefined();
  });

  it('refuse anything but an exact known token', () => {
    const registry = new TokenRegistry([{ name: 'n', role: 'guard', hash: hashApiToken(`gw_${'a'.repeat(43)}`) }]);
    expect(registry.verify(`gw_${'a'.repeat(43)}`)).toEqual({ name: 'n', role: 'guard' });
    for (const wrong of [`gw_${'a'.repeat(42)}b`, `gw_${'a'.repeat(42)}`, `GW_${'a'.repeat(43)}`, '', `gw_${'a'.repeat(43)} `]) expect(registry.verify(wrong)).toBeUndefined();
  });
});
