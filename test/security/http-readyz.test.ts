import { execFileSync } from 'node:child_process';
import { copyFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../support/gateway/gateway-harness.js';
import { HttpProcess } from './http-process.js';

interface Readiness {
  ready: boolean;
  checks: Array<{ name: string; ok: boolean; reason?: string }>;
}

async function database(gateway: HttpProcess): Promise<{ status: number; check: Readiness['checks'][number] | undefined }> {
  const response = await gateway.get('/readyz', 'manager');
  const body = (await response.json()) as Readiness;
  return { status: response.status, check: body.checks.find((c) => c.name === 'database') };
}

/** Whether `chattr +i` works in `dir` (root on ext4, xfs, btrfs; not tmpfs or overlayfs). */
function chattrWorks(dir: string): boolean {
  const probe = join(dir, 'chattr-probe');
  writeFileSync(probe, '');
  try {
    execFileSync('chattr', ['+i', probe], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { force: true });
  }
}

/** Polls `/readyz` every 200 ms until the database check is `ok`; fails after `timeoutMs`. */
async function databaseBecomes(gateway: HttpProcess, ok: boolean, timeoutMs: number): Promise<Awaited<ReturnType<typeof database>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await database(gateway);
    if (now.check?.ok === ok) return now;
    if (Date.now() > deadline) throw new Error(`/readyz database check not ok=${ok} after ${timeoutMs} ms: ${JSON.stringify(now)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const storageFault = (gateway: HttpProcess) => gateway.alerts.find((a) => a.topic.endsWith('/alerts/storage-fault'));

/**
 * Issue 12, observation 11: "After the database file is deleted, lanes keep
 * writing to the deleted file and /readyz says ok. Lockdown, then delete, then
 * restart brings the estate back in normal mode. With the file made immutable,
 * every write fails, yet /readyz stays ready."
 */
describe('http: a deleted, frozen or missing database is noticed', () => {
  const gateways: HttpProcess[] = [];
  const fresh = () => {
    const gateway = new HttpProcess();
    gateways.push(gateway);
    return gateway;
  };
  afterEach(async () => {
    for (const gateway of gateways.splice(0)) {
      try {
        execFileSync('chattr', ['-i', gateway.databasePath], { stdio: 'ignore' });
      } catch {
        // deleted by the test, or no chattr here
      }
      await gateway.remove();
    }
  });

  it('a deleted database turns /readyz not-ready within seconds, raises storage-fault, and nothing is released unrecorded', async () => {
    const gateway = fresh();
    await gateway.start();
    expect((await database(gateway)).check?.ok).toBe(true);
    rmSync(gateway.databasePath);
    const deletedAt = Date.now();
    const after = await databaseBecomes(gateway, false, 6000);
    expect(Date.now() - deletedAt).toBeLessThan(6000);
    expect(after.status).toBe(503);
    expect(after.check?.reason).toContain('deleted');
    await waitFor(() => storageFault(gateway), 'a storage-fault alert', 5000);
    // A manual release must be recorded before the barrier moves; it cannot be, so it is refused.
    const release = await gateway.get('/api/lanes/main/in/release', 'guard', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'delivery at the gate' }) });
    expect(release.status).toBeGreaterThanOrEqual(400);
  }, 60_000);

  it('a database replaced under the gateway (a copy moved over it, its WAL gone): the next release is refused and /readyz says so at once', async () => {
    const gateway = fresh();
    await gateway.start();
    expect((await database(gateway)).check?.ok).toBe(true);
    const copy = `${gateway.databasePath}.copy`;
    copyFileSync(gateway.databasePath, copy);
    for (const suffix of ['-wal', '-shm']) rmSync(`${gateway.databasePath}${suffix}`, { force: true });
    renameSync(copy, gateway.databasePath);
    // Before the watch's next tick: a release recorded now would go to the unlinked file and be lost at the next start.
    const release = await gateway.get('/api/lanes/main/in/release', 'guard', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'delivery at the gate' }) });
    expect(release.status).toBeGreaterThanOrEqual(400);
    const now = await database(gateway);
    expect(now.status).toBe(503);
    expect(now.check?.reason).toContain('replaced');
  }, 60_000);

  it('an immutable database (chattr +i) turns /readyz not-ready and raises storage-fault; ready again once writable', async ({ skip }) => {
    const gateway = fresh();
    if (!chattrWorks(gateway.dir)) {
      console.warn(`chattr +i is not supported in ${gateway.dir} (not root, or the filesystem has no immutable flag): case skipped`);
      skip();
    }
    await gateway.start();
    expect((await database(gateway)).check?.ok).toBe(true);
    execFileSync('chattr', ['+i', gateway.databasePath]);
    const frozen = await databaseBecomes(gateway, false, 6000);
    expect(frozen.status).toBe(503);
    expect(frozen.check?.reason).toContain('refuses writes');
    await waitFor(() => storageFault(gateway), 'a storage-fault alert', 5000);
    execFileSync('chattr', ['-i', gateway.databasePath]);
    await databaseBecomes(gateway, true, 6000);
  }, 60_000);

  it('lockdown, delete, restart: the gateway refuses to start (GW_STORAGE_MISSING) unless told --new-database', async () => {
    const gateway = fresh();
    await gateway.start();
    const lockdown = await gateway.get('/api/mode/lockdown', 'manager', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'district order' }) });
    expect(lockdown.status).toBe(200);
    await gateway.stop();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${gateway.databasePath}${suffix}`, { force: true });

    const refused = await gateway.failedStart();
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('GW_STORAGE_MISSING');

    await gateway.start(['--new-database']);
    expect(gateway.lines.some((l) => l.code === 'GW_STORAGE_MISSING' && l.level === 40)).toBe(true);
  }, 90_000);
});
