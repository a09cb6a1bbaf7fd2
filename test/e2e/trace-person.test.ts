import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { subjectHasher } from '../../src/store/subject-hash.js';
import { harnessConfig } from '../../support/gateway/gateway-harness.js';
import { writeLegacyDatabase } from '../integration/store/legacy-rows.js';

/**
 * Issue 11, observation 4, through the built CLI: a database the v3 gateway
 * left, upgraded by the real gateway process at start, then traced by card.
 */
const CLI = 'dist/cli.js';
const dir = mkdtempSync(join(tmpdir(), 'gatewarden-trace-person-'));
const MIN = 60_000;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the gateway, waits until it runs, stops it with SIGINT; returns its JSON log lines. */
async function startAndStop(configPath: string): Promise<Array<Record<string, unknown>>> {
  const child = spawn('node', [CLI, 'start', configPath], { env: { ...process.env, GATEWARDEN_LOG_FORMAT: 'json' } });
  const lines: Array<Record<string, unknown>> = [];
  let buffered = '';
  const running = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${JSON.stringify(lines.slice(-5))}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as Record<string, unknown>);
      if (lines.some((line) => line.msg === 'gateway running')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    await running;
  } finally {
    child.kill('SIGINT');
  }
  expect(await exited).toBe(0);
  return lines;
}

describe('gatewarden trace --kind card on a database the gateway upgraded', () => {
  it("finds the resident's card and pass passages as one trail, with no self-contact, and re-keys once", async () => {
    const config = harnessConfig(dir, {
      roster: {
        cards: [
          { uid: '04AABBCCDD', subject: 'resident-1', role: 'resident', household: '1-101' },
          { uid: '04AABBCCEE', subject: 'resident-2', role: 'resident', household: '1-102' },
        ],
      },
    });
    const configPath = join(dir, 'config.json');
    writeFileSync(configPath, JSON.stringify(config));
    expect(spawnSync('node', [CLI, 'keys', 'init', join(dir, 'secrets.json')], { encoding: 'utf8' }).status).toBe(0);
    const { estateKey } = JSON.parse(readFileSync(join(dir, 'secrets.json'), 'utf8')) as { estateKey: string };
    const hash = subjectHasher(Buffer.from(estateKey, 'base64url'));
    const at = Date.now() - 3_600_000;
    writeLegacyDatabase(join(dir, 'gatewarden.db'), hash, [
      { id: 'old-card', at, gate: 'main', credential: 'card', subject: { kind: 'card', id: 'resident-1' } },
      { id: 'old-pass', at: at + 1 * MIN, gate: 'main', credential: 'health-pass', subject: { kind: 'health-pass', id: 'resident-1' } },
      { id: 'old-neighbour', at: at + 2 * MIN, gate: 'main', credential: 'card', subject: { kind: 'card', id: 'resident-2' } },
    ]);

    const rekeyed = (lines: Array<Record<string, unknown>>) => lines.find((line) => line.module === 'person-rekey');
    expect(rekeyed(await startAndStop(configPath))).toMatchObject({ passages: 2, alerts: 0 });

    const run = spawnSync('node', [CLI, 'trace', configPath, '--kind', 'card', '--subject', '04aabbccdd'], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const result = JSON.parse(run.stdout) as { subject: string; hashes: string[]; trail: Array<{ passageId: string; credential: string }>; contacts: Array<{ subject: string; encounters: number }> };
    expect(result.subject).toBe(hash({ kind: 'health-pass', id: 'resident-1' }));
    expect(result.trail.map((entry) => [entry.passageId, entry.credential])).toEqual([
      ['old-card', 'card'],
      ['old-pass', 'health-pass'],
    ]);
    expect(result.contacts).toEqual([expect.objectContaining({ subject: hash({ kind: 'health-pass', id: 'resident-2' }), encounters: 2 })]);

    expect(rekeyed(await startAndStop(configPath))).toMatchObject({ passages: 0, alerts: 0 });
  }, 60_000);
});
