import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { openConnection, type Connection } from '../../../src/mqtt/connection.js';
import { topicsFor } from '../../../src/contract/topics.js';
import { waitFor } from '../../../support/gateway/gateway-harness.js';
import { freePort } from '../../../support/brokers/mosquitto.js';
import { aedesBroker, type ExternalBroker } from '../../../support/brokers/external-broker.js';

const PREFIX = 'gatewarden/test-estate';
const PASSWORD = 'gateway-password-1';

interface Attempt {
  url: string;
  attempt: number;
  afterMs: number;
}

/**
 * The session's failover over a list of broker nodes (docs/operations.md,
 * "Broker clusters and failover"), on real sockets: two nodes that refuse
 * connections and one aedes broker that a test stops and starts. With the
 * random source fixed at 0 the first node is the first listed and every
 * delay is the back-off less 20 %: 400, 800, 1600 ms.
 */
describe('broker node rotation and back-off', () => {
  let live: ExternalBroker | undefined;
  let connection: Connection | undefined;

  afterAll(async () => {
    await connection?.stop();
    await live?.close();
  });

  it('tries each node in turn with a growing delay, logs every attempt with its node, and comes back through the list after a loss', async () => {
    const dead = [`mqtt://127.0.0.1:${await freePort()}`, `mqtt://127.0.0.1:${await freePort()}`];
    live = await aedesBroker(PREFIX, [{ username: 'gateway', password: PASSWORD, role: 'gateway' }]);
    const lines: Array<Record<string, unknown>> = [];
    const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const attempts = () => lines.filter((line) => line.msg === 'connecting to MQTT broker').map((line) => ({ url: line.url, attempt: line.attempt, afterMs: line.afterMs }) as Attempt);
    const connects = () => lines.filter((line) => line.msg === 'connected to MQTT broker').length;

    connection = openConnection({
      url: [dead[0] as string, dead[1] as string, live.url],
      username: 'gateway',
      password: PASSWORD,
      clientId: 'rotation-gateway',
      topics: topicsFor(PREFIX),
      version: 'test',
      mode: () => 'normal',
      log,
      random: () => 0,
    });
    await waitFor(() => connects() === 1, 'connected to the live node', 10_000);
    expect(connection.node()).toBe(live.url);
    expect(attempts()).toEqual([
      { url: dead[0], attempt: 0, afterMs: 0 },
      { url: dead[1], attempt: 1, afterMs: 400 },
      { url: live.url, attempt: 2, afterMs: 800 },
    ]);

    // The live node goes away; the rotation goes on from the node after it, and the delays start again from the shortest.
    await live.stop();
    await waitFor(() => attempts().length >= 5, 'two failed attempts after the loss', 10_000);
    expect(connection.node()).toBeUndefined();
    await live.start();
    await waitFor(() => connects() === 2, 'connected again', 10_000);
    expect(attempts().slice(3)).toEqual([
      { url: dead[0], attempt: 1, afterMs: 400 },
      { url: dead[1], attempt: 2, afterMs: 800 },
      { url: live.url, attempt: 3, afterMs: 1600 },
    ]);
    expect(connection.node()).toBe(live.url);
    expect(lines.filter((line) => line.msg === 'MQTT connection lost; messages wait in the outbox').map((line) => line.url)).toEqual([live.url]);
  }, 30_000);
});
