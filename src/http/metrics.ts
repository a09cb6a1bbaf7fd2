import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { PassageRecord } from '../core/lane-types.js';
import type { AnyDevice, Availability } from '../drivers/device.js';
import { VERSION } from '../version.js';

const AVAILABILITIES: readonly Availability[] = ['online', 'degraded', 'offline'];

export interface OutboxStats {
  depth: number;
  oldestAgeMs: number | null;
}

/**
 * The gateway's Prometheus metrics, in a registry of its own (two gateways in
 * one test process never share counters). Event-loop lag comes with the
 * default Node.js metrics (`nodejs_eventloop_lag_*`).
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly latency = new Histogram({
    name: 'gatewarden_decision_latency_seconds',
    help: 'time from a scan to its recorded decision',
    labelNames: ['gate', 'lane', 'verdict'] as const,
    // A lane waits for the thermometer (typically 100-500 ms) before deciding.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  // One count per decision, so summing over labels gives the number of decisions (issue 16: a reason label overcounted).
  private readonly decisions = new Counter({
    name: 'gatewarden_decisions_total',
    help: 'decisions recorded, by lane and verdict; each decision counts once',
    labelNames: ['gate', 'lane', 'verdict'] as const,
    registers: [this.registry],
  });
  // A decision with several reasons counts once for each, so this counter is never summed into a number of decisions.
  private readonly decisionReasons = new Counter({
    name: 'gatewarden_decision_reasons_total',
    help: 'reason codes carried by recorded decisions; a decision with n reasons adds n',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  private readonly deviceErrors = new Counter({
    name: 'gatewarden_device_errors_total',
    help: 'device failures reported by the drivers (a status change carrying a new error)',
    labelNames: ['device', 'role', 'code'] as const,
    registers: [this.registry],
  });
  private readonly deviceAvailability = new Gauge({
    name: 'gatewarden_device_availability',
    help: '1 for the current availability of each device, 0 for the others',
    labelNames: ['device', 'role', 'availability'] as const,
    registers: [this.registry],
  });

  /** `listenerFailures`: the event bus's count of listeners that threw (src/event-bus.ts). */
  constructor(devices: Iterable<AnyDevice>, outboxStats: () => OutboxStats, listenerFailures: () => number) {
    collectDefaultMetrics({ register: this.registry });
    dropTotalGauges(this.registry);
    // The info-metric pattern: constant 1, the facts in labels, joined to other series with `* on() group_left`.
    new Gauge({ name: 'gatewarden_build_info', help: 'gatewarden version and Node.js version; always 1', labelNames: ['version', 'node'] as const, registers: [this.registry] }).set(
      { version: VERSION, node: process.versions.node },
      1,
    );
    new Gauge({
      name: 'gatewarden_outbox_depth',
      help: 'MQTT messages waiting in the outbox for a broker acknowledgement',
      registers: [this.registry],
      collect() {
        this.set(outboxStats().depth);
      },
    });
    new Gauge({
      name: 'gatewarden_outbox_oldest_age_seconds',
      help: 'age of the oldest message in the outbox (0 when empty)',
      registers: [this.registry],
      collect() {
        this.set((outboxStats().oldestAgeMs ?? 0) / 1000);
      },
    });
    let failuresCounted = 0;
    new Counter({
      name: 'gatewarden_event_listener_failures_total',
      help: 'event listeners that threw or rejected; the emitter and the other listeners went on',
      registers: [this.registry],
      collect() {
        const failures = listenerFailures();
        this.inc(failures - failuresCounted);
        failuresCounted = failures;
      },
    });
    const all = [...devices];
    countNoise(this.registry, all);
    for (const device of all) this.watch(device);
  }

  observePassage(passage: PassageRecord, sinceScanMs: number | null): void {
    const { gate, lane } = passage;
    const { verdict, reasons } = passage.decision;
    if (sinceScanMs !== null) this.latency.observe({ gate, lane, verdict }, sinceScanMs / 1000);
    this.decisions.inc({ gate, lane, verdict });
    for (const reason of reasons) this.decisionReasons.inc({ reason });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private watch(device: AnyDevice): void {
    const labels = { device: device.id, role: device.role };
    const show = (availability: Availability) => {
      for (const state of AVAILABILITIES) this.deviceAvailability.set({ ...labels, availability: state }, state === availability ? 1 : 0);
    };
    show(device.status().availability);
    let lastErrorAt = device.status().lastError?.at;
    device.onStatus((status) => {
      show(status.availability);
      if (status.lastError && status.lastError.at !== lastErrorAt) this.deviceErrors.inc({ ...labels, code: status.lastError.code });
      lastErrorAt = status.lastError?.at;
    });
  }
}

/** Bytes each serial line dropped as noise (line-device.ts counts them; found from outside: nothing showed them). */
function countNoise(registry: Registry, devices: readonly AnyDevice[]): void {
  const lines = devices.filter((device): device is AnyDevice & { noiseBytes: number } => device.noiseBytes !== undefined);
  const counted = new Map<string, number>();
  new Counter({
    name: 'gatewarden_line_noise_bytes_total',
    help: 'bytes a device line dropped as noise (no frame, oversize, no match); the device went on',
    labelNames: ['device', 'role'] as const,
    registers: [registry],
    collect() {
      for (const device of lines) {
        this.inc({ device: device.id, role: device.role }, device.noiseBytes - (counted.get(device.id) ?? 0));
        counted.set(device.id, device.noiseBytes);
      }
    },
  });
}

/**
 * prom-client's defaults add `nodejs_active_{handles,requests,resources}_total` gauges, and promtool
 * refuses `_total` on anything but a counter (OpenMetrics, "Counter"). They are the sums of the
 * by-type gauges kept beside them (`nodejs_active_resources{type}`, …), so they go.
 */
function dropTotalGauges(registry: Registry): void {
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(name);
}
