import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Journal } from '../store/journal.js';

/** Shorter gaps (a broker restart, the first connect at start-up) heal within a few 1 s reconnects and are only logged. */
const MIN_OUTAGE_MS = 5000;

/**
 * DESIGN.md, degraded modes: while the broker is unreachable the lanes decide
 * as usual and the outbox grows; once it is reachable again a `broker-outage`
 * alert says how long the gap was, so the district knows why reports arrived
 * late. The alert goes through the journal like any other, so it is recorded
 * before it is published and drains with the backlog.
 */
export function reportBrokerOutages(options: { client: MqttClient; journal: Journal; clock: Clock; log: Logger; url: string }): void {
  const { client, journal, clock, url } = options;
  const log = options.log.child({ module: 'mqtt' });
  // A gateway that starts with no broker in reach is in an outage from its first moment.
  let downSince: number | undefined = client.connected ? undefined : clock.now();
  client.on('close', () => {
    downSince ??= clock.now();
  });
  client.on('connect', () => {
    if (downSince === undefined) return;
    const now = clock.now();
    const downForS = Math.round((now - downSince) / 100) / 10;
    const since = downSince;
    downSince = undefined;
    if (now - since < MIN_OUTAGE_MS) return;
    log.warn({ url, downForS }, 'broker reachable again after an outage');
    try {
      journal.recordAlert({ type: 'broker-outage', severity: 'warning', at: now, reasons: [], details: { url, downSince: new Date(since).toISOString(), downForS } });
    } catch (error) {
      log.error({ err: (error as Error).message, code: 'GW_STORAGE' }, 'cannot record broker-outage alert');
    }
  });
}
