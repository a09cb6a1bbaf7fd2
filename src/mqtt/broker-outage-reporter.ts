import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { Journal } from '../store/journal.js';
import type { LinkState } from '../store/link-state.js';
import { Code } from '../errors.js';

/** Shorter gaps (a broker restart, the first connect at start-up) heal within a few 1 s reconnects and are only logged. */
const MIN_OUTAGE_MS = 5000;

/**
 * docs/design.md, degraded modes: while the broker is unreachable the lanes decide
 * as usual and the outbox grows; once it is reachable again a `broker-outage`
 * alert says how long the gap was, so the district knows why reports arrived
 * late. The alert goes through the journal like any other, so it is recorded
 * before it is published and drains with the backlog.
 *
 * The start of an outage is kept in `link_state` (issue 15): a restart inside
 * it neither shortens it nor, when it comes just before the broker returns,
 * hides it. A clean stop while connected is not an outage; a gateway that
 * starts with no broker in reach and no outage on record is in one from its
 * first moment.
 */
export function reportBrokerOutages(options: { client: MqttClient; journal: Journal; clock: Clock; log: Logger; url: string; state: LinkState; link?: string }): { stop: () => void } {
  const { client, journal, clock, url, state } = options;
  const link = options.link ?? 'broker';
  const log = options.log.child({ module: 'mqtt' });
  const persist = (write: () => void) => {
    try {
      write();
    } catch (error) {
      log.error({ err: (error as Error).message, code: Code.GW_STORAGE }, 'cannot record the broker link state');
    }
  };
  // An outage on record from before a restart goes on; with none, a gateway that starts unconnected is in one from now.
  let downSince: number | undefined = state.downSince(link) ?? (client.connected ? undefined : clock.now());
  const reconnected = () => {
    if (downSince === undefined) return;
    const now = clock.now();
    const since = downSince;
    downSince = undefined;
    const downForS = Math.round((now - since) / 100) / 10;
    if (now - since >= MIN_OUTAGE_MS) {
      log.warn({ url, downForS }, 'broker reachable again after an outage');
      try {
        journal.recordAlert({ type: 'broker-outage', severity: 'warning', at: now, reasons: [], details: { url, downSince: new Date(since).toISOString(), downForS } });
      } catch (error) {
        log.error({ err: (error as Error).message, code: Code.GW_STORAGE }, 'cannot record broker-outage alert');
      }
    }
    persist(() => state.markUp(link));
  };
  if (client.connected) reconnected();
  else if (downSince !== undefined) {
    const since = downSince;
    persist(() => state.markDown(link, since));
  }
  const wentDown = () => {
    // Our own end() (a stop): not an outage.
    if (client.disconnecting || downSince !== undefined) return;
    const since = clock.now();
    downSince = since;
    persist(() => state.markDown(link, since));
  };
  client.on('close', wentDown);
  client.on('connect', reconnected);
  return {
    stop: () => {
      client.off('close', wentDown);
      client.off('connect', reconnected);
    },
  };
}
