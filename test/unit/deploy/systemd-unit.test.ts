import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeWithTools } from '../../../support/tools/system-tools.js';

const UNIT = 'deploy/systemd/gatewarden.service';
const text = readFileSync(UNIT, 'utf8');

/** systemd's unit syntax: `[Section]`, `Key=value` (a key may repeat; an empty value resets it), `#`/`;` comments. */
function parseUnit(source: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1] as string, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (!current || eq < 1) throw new Error(`not a unit line: ${line}`);
    const key = line.slice(0, eq);
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)]);
  }
  return sections;
}

const unit = parseUnit(text);
const service = unit.get('Service') ?? new Map<string, string[]>();
const value = (key: string) => service.get(key)?.at(-1);

describe('deploy/systemd/gatewarden.service', () => {
  it('runs the gateway as its own user, with the serial ports group, logging JSON to the journal', () => {
    expect(value('DynamicUser')).toBe('no');
    expect(value('User')).toBe('gatewarden');
    expect(value('SupplementaryGroups')).toBe('dialout');
    expect(value('ExecStart')).toMatch(/gatewarden start \/etc\/gatewarden\/gatewarden\.yaml$/);
    expect(service.get('Environment')).toContain('GATEWARDEN_LOG_FORMAT=json');
    expect(value('StandardOutput')).toBe('journal');
    expect(value('Restart')).toBe('on-failure');
  });

  it('makes the system read-only but the data folder, with no home, a private /tmp and no new privileges', () => {
    expect(value('ProtectSystem')).toBe('strict');
    expect(value('StateDirectory')).toBe('gatewarden');
    expect(value('StateDirectoryMode')).toBe('0700');
    expect(value('ReadWritePaths')).toBe('/var/lib/gatewarden');
    expect(value('WorkingDirectory')).toBe('/var/lib/gatewarden');
    expect(value('PrivateTmp')).toBe('yes');
    expect(value('ProtectHome')).toBe('yes');
    expect(value('NoNewPrivileges')).toBe('yes');
  });

  it('keeps no capability, IP and Unix sockets only, and no device but the serial ports', () => {
    expect(service.get('CapabilityBoundingSet')).toEqual(['']);
    expect(value('RestrictAddressFamilies')?.split(/\s+/).sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_UNIX']);
    expect(value('DevicePolicy')).toBe('closed');
    expect(service.get('DeviceAllow')).toEqual(['char-ttyUSB rw', 'char-ttyACM rw', 'char-ttyS rw']);
    // PrivateDevices would hide the serial ports DeviceAllow lets through.
    expect(service.has('PrivateDevices')).toBe(false);
  });

  it('claims no watchdog the process does not feed, and starts after the clock is synchronised', () => {
    expect(service.has('WatchdogSec')).toBe(false);
    expect(value('Type')).toBe('exec');
    expect(unit.get('Unit')?.get('After')?.join(' ')).toContain('time-sync.target');
  });
});

describeWithTools(['systemd-analyze'], 'the unit under systemd-analyze', () => {
  // verify insists ExecStart names an executable; the installed path does not exist here.
  const withExec = (dir: string) => {
    const file = join(dir, 'gatewarden.service');
    writeFileSync(file, text.replace(/^ExecStart=\S+/m, 'ExecStart=/bin/true'));
    return file;
  };

  it('verifies with no complaint (an unknown or misplaced key would be named on stderr)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatewarden-unit-'));
    try {
      const run = spawnSync('systemd-analyze', ['verify', '--man=no', withExec(dir)], { encoding: 'utf8', timeout: 30_000 });
      expect(run.stderr.split('\n').filter((line) => line.includes('gatewarden.service'))).toEqual([]);
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scores an exposure below 3 of 10 in systemd-analyze security', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatewarden-unit-'));
    try {
      const run = spawnSync('systemd-analyze', ['security', '--offline=true', withExec(dir)], { encoding: 'utf8', timeout: 30_000 });
      expect(`${run.stdout}${run.stderr}`).not.toMatch(/Unknown key|ignoring/);
      const exposure = Number(/Overall exposure level for gatewarden\.service: ([\d.]+)/.exec(run.stdout)?.[1]);
      expect(exposure).toBeLessThan(3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
