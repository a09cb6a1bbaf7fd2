import { afterAll, describe, expect, it } from 'vitest';
import { waitFor, type Harness } from '../../../support/gateway/gateway-harness.js';
import { aedesBroker, setUpExternal, type ExternalSetup } from '../../../support/brokers/external-broker.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** docs/design.md, degraded modes: broker unreachable -> decisions unchanged, outbox grows, an alert once reachable. */
describe('broker outage alert', () => {
  const prefix = 'gatewarden/test-estate';
  let setup: ExternalSetup;
  let harness: Harness | undefined;

  afterAll(async () => {
    await harness?.stop();
    await setup?.close();
  });

  const outageAlerts = () => harness!.gateway.db.prepare("SELECT details FROM alerts WHERE type = 'broker-outage'").all() as Array<{ details: string }>;

  it('logs a blip, and raises broker-outage with its length once a longer outage ends', async () => {
    setup = await setUpExternal({ prefix, broker: aedesBroker, protocolVersion: 4 });
    harness = await setup.startGateway();
    const client = harness.gateway.mqtt.connection.client;
    await waitFor(() => client.connected, 'gateway connected');

    await setup.broker.stop();
    await waitFor(() => !client.connected, 'gateway sees the broker gone');
    await setup.broker.start();
    await waitFor(() => client.connected, 'reconnected after a blip', 10_000);
    expect(outageAlerts()).toEqual([]);

    await setup.broker.stop();
    await waitFor(() => !client.connected, 'gateway sees the broker gone again');
    await sleep(6000);
    await setup.broker.start();
    const [alert] = await waitFor(() => (outageAlerts().length > 0 ? outageAlerts() : undefined), 'broker-outage alert recorded', 15_000);
    const details = JSON.parse(alert!.details) as { downForS: number; url: string };
    expect(details.downForS).toBeGreaterThanOrEqual(6);
    expect(details.url).toBe(setup.broker.url);
    // Delivered: the broker acknowledged it, so its outbox row is gone.
    await waitFor(() => (harness!.gateway.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE topic = ?").get(`${prefix}/alerts/broker-outage`) as { n: number }).n === 0 || undefined, 'alert acknowledged by the broker');
  }, 40_000);
});
