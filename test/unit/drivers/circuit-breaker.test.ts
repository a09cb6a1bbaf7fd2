import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../../src/drivers/health/circuit-breaker.js';
import { DeviceHealth } from '../../../src/drivers/health/device-health.js';
import type { DeviceStatus } from '../../../src/drivers/device.js';
import { GatewardenError } from '../../../src/errors.js';

describe('CircuitBreaker', () => {
  it('opens after consecutive failures, lets one probe through after the cooldown, closes on success', () => {
    const breaker = new CircuitBreaker({ failuresToOpen: 2, cooldownMs: 1000 });
    breaker.recordFailure(0);
    expect(breaker.state).toBe('closed');
    breaker.recordFailure(10);
    expect(breaker.state).toBe('open');
    expect(breaker.allow(500)).toBe(false);
    expect(breaker.allow(1010)).toBe(true);
    expect(breaker.state).toBe('half-open');
    expect(breaker.allow(1011)).toBe(false);
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.allow(1012)).toBe(true);
  });

  it('reopens when the probe fails', () => {
    const breaker = new CircuitBreaker({ failuresToOpen: 3, cooldownMs: 100 });
    [0, 1, 2].forEach((at) => breaker.recordFailure(at));
    expect(breaker.allow(200)).toBe(true);
    breaker.recordFailure(200);
    expect(breaker.state).toBe('open');
    expect(breaker.allow(250)).toBe(false);
  });
});

describe('DeviceHealth', () => {
  it('goes degraded, then offline when the breaker opens, and online again; each change is reported once', () => {
    let now = 0;
    const health = new DeviceHealth({ now: () => now }, { failuresToOpen: 2, cooldownMs: 1000 }, () => {});
    const seen: DeviceStatus[] = [];
    health.onStatus((status) => seen.push(status));
    const timeout = new GatewardenError('GW_DEVICE_TIMEOUT', 'no answer');
    health.succeeded();
    now = 5;
    health.failed(timeout);
    now = 6;
    health.failed(timeout);
    health.linkDown(new GatewardenError('GW_DEVICE_IO', 'gone'));
    now = 2000;
    health.succeeded();
    expect(seen.map((status) => [status.availability, status.lastError?.code, status.since])).toEqual([
      ['online', undefined, 0],
      ['degraded', 'GW_DEVICE_TIMEOUT', 5],
      ['offline', 'GW_DEVICE_TIMEOUT', 6],
      ['offline', 'GW_DEVICE_IO', 6],
      ['online', 'GW_DEVICE_IO', 2000],
    ]);
  });
});
