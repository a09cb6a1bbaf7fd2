import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { harnessConfig, waitFor } from '../../support/gateway/gateway-harness.js';
import { cli, DataProcess } from '../security/data-process.js';

/**
 * `gatewarden backup` beside a running gateway (issue 16, operations): the
 * real process (`npm run build` first) decides a crowd of passages, one every
 * 100 ms, while the backup copies its database through SQLite's online backup
 * API. The copy passes integrity_check, holds every passage committed before
 * the backup began, is 0600, and the gateway never noticed.
 */
const dir = mkdtempSync(join(tmpdir(), 'gatewarden-backup-'));
let gateway: DataProcess | undefined;
afterAll(async () => {
  await gateway?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function passageIds(file: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT id FROM passages ORDER BY id').all() as Array<{ id: string }>).map((row) => row.id);
  } finally {
    db.close();
  }
}

describe('gatewarden backup while the gateway writes', () => {
  it('gives a consistent 0600 copy holding the passages written before it began, without disturbing the gateway', async () => {
    const configPath = join(dir, 'gatewarden.json');
    writeFileSync(configPath, JSON.stringify(harnessConfig(dir, { demo: { crowd: true, arrivalEveryMs: 100, seed: 16 } })));
    const database = join(dir, 'gatewarden.db');
    gateway = await DataProcess.spawn(configPath).running();
    await waitFor(() => passageIds(database).length >= 10, 'ten passages in the database', 30_000);

    const before = passageIds(database);
    mkdirSync(join(dir, 'backups'), { mode: 0o700 });
    const target = join(dir, 'backups', 'gatewarden-copy.db');
    const backup = await cli(['backup', configPath, '--to', target]);
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    const size = statSync(target).size;
    expect(backup.stdout).toBe(`${target} ${size} bytes (integrity_check ok)\n`);
    expect(statSync(target).mode & 0o777).toBe(0o600);

    // The gateway kept writing through the backup, and is still running.
    await waitFor(() => passageIds(database).length > before.length + 5, 'more passages after the backup', 30_000);
    expect(gateway.exitCode).toBeNull();
    expect(gateway.lines.filter((line) => typeof line.level === 'number' && line.level >= 50)).toEqual([]);

    const copy = new Database(target, { readonly: true, fileMustExist: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(copy.pragma('foreign_key_check')).toEqual([]);
    } finally {
      copy.close();
    }
    const copied = new Set(passageIds(target));
    expect(before.filter((id) => !copied.has(id))).toEqual([]);

    const again = await cli(['backup', configPath, '--to', target]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('the file exists; refusing to overwrite it');
    expect(statSync(target).size).toBe(size);

    await gateway.stop();
    expect(gateway.exitCode).toBe(0);
  }, 90_000);
});
