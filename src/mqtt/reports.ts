import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { isTrustStale } from '../core/trust-list.js';
import type { AnyDevice } from '../drivers/device.js';
import type { EstateState } from '../estate/estate-state.js';
import type { LaneRunner } from '../lane/lane-runner.js';
import type { Db } from '../store/database.js';
import type { Outbox } from '../store/outbox.js';
import { countStats, storeStats } from '../store/stats.js';
import { MessagePriority, type OutgoingMessage } from '../contract/messages.js';
import { PAYLOAD_VERSION } from '../contract/payload-version.js';
import type { HealthMessage } from '../contract/state-payloads.js';
import type { StatsMessage } from '../contract/report-payloads.js';
import type { Topics } from '../contract/topics.js';

/** What `…/health` reports, gathered from the running parts. */
export interface HealthSources {
  estate: EstateState;
  lanes: ReadonlyMap<string, LaneRunner>;
  devices: readonly AnyDevice[];
  outbox: Outbox;
  maxRows: number;
  shed: () => number;
  broker: { url: string; connected: () => boolean };
  uplink?: { connected: () => boolean; outbox: Outbox } | undefined;
  counters: () => HealthMessage['counters'];
  startedAt: number;
  clock: Clock;
}

/** The periodic `…/health` message (QoS 0, not retained): a snapshot, not a record. */
export function healthMessage(s: HealthSources): HealthMessage {
  const now = s.clock.now();
  const depthOf = (outbox: Outbox) => outbox.stats(now);
  const main = depthOf(s.outbox);
  return {
    id: randomUUID(),
    ts: new Date(now).toISOString(),
    v: PAYLOAD_VERSION,
    mode: s.estate.mode,
    uptimeS: Math.max(0, Math.round((now - s.startedAt) / 1000)),
    devices: Object.fromEntries(s.devices.map((device) => [device.id, device.status().availability])),
    lanes: Object.fromEntries([...s.lanes.values()].map((lane) => [lane.id, { phase: lane.phase, mode: s.estate.modeFor(lane.id.split('/')[0]) }])),
    outbox: { depth: main.depth, oldestAgeMs: main.oldestAgeMs, capacity: s.maxRows, shed: s.shed() },
    broker: { connected: s.broker.connected(), url: s.broker.url },
    uplink: s.uplink ? { connected: s.uplink.connected(), depth: depthOf(s.uplink.outbox).depth } : null,
    trust: {
      ageS: Math.max(0, Math.round((now - s.estate.trust.refreshedAt) / 1000)),
      stale: isTrustStale(s.estate.trust, now),
      issuers: Object.keys(s.estate.trust.issuers).length,
    },
    counters: s.counters(),
  };
}

/**
 * The periodic report (`…/stats`): entries, exits, refusals by reason, fevers
 * and alerts per gate in [from, to) (estate plan, rule 7), stored in the
 * `stats` table and queued for the broker in one transaction. Returns the
 * message as published (with its place in the report chain).
 */
export function publishStats(db: Db, outbox: Outbox, topics: Topics, from: number, to: number): OutgoingMessage {
  const gates = countStats(db, from, to);
  const payload: Omit<StatsMessage, 'seq' | 'prev' | 'hash'> = { id: randomUUID(), ts: new Date(to).toISOString(), v: PAYLOAD_VERSION, from: new Date(from).toISOString(), to: new Date(to).toISOString(), gates };
  const message: OutgoingMessage = { topic: topics.stats, payload: JSON.stringify(payload), qos: 1, retain: false, priority: MessagePriority.Stats };
  return db.transaction(() => {
    storeStats(db, from, to, gates);
    return outbox.enqueue(message, to);
  })();
}

export interface ReportTimers {
  stop(): void;
}

/**
 * The two periodic reports: `…/health` every `healthIntervalS` to every
 * connected session (and a check of the outbox bounds), and `…/stats` every
 * `statsIntervalS` through the outbox (`onQueued` wakes the publishers).
 */
export function startReports(options: {
  /** Read at each report: the broker node the session is on may change. */
  health: () => Omit<HealthSources, 'startedAt' | 'clock'>;
  sessions: () => ReadonlyArray<MqttClient | undefined>;
  checkBounds: () => void;
  db: Db;
  outbox: Outbox;
  topics: Topics;
  everyS: { health: number; stats: number };
  onQueued: () => void;
  clock: Clock;
  log: Logger;
}): ReportTimers {
  const { topics, clock, log } = options;
  const startedAt = clock.now();
  const healthTimer = setInterval(() => {
    try {
      const payload = JSON.stringify(healthMessage({ ...options.health(), startedAt, clock }));
      for (const client of options.sessions()) if (client?.connected) client.publish(topics.health, payload, { qos: 0, retain: false });
      options.checkBounds();
    } catch (error) {
      log.error({ err: (error as Error).message, code: 'GW_STORAGE' }, 'cannot build the health report');
    }
  }, options.everyS.health * 1000);
  healthTimer.unref();

  let statsFrom = startedAt;
  const statsTimer = setInterval(() => {
    const to = clock.now();
    try {
      publishStats(options.db, options.outbox, topics, statsFrom, to);
      statsFrom = to;
      options.onQueued();
    } catch (error) {
      log.error({ err: (error as Error).message, code: 'GW_STORAGE' }, 'cannot write the stats report');
    }
  }, options.everyS.stats * 1000);
  statsTimer.unref();
  return {
    stop() {
      clearInterval(healthTimer);
      clearInterval(statsTimer);
    },
  };
}
