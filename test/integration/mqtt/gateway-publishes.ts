import type { Harness } from '../../../support/gateway/gateway-harness.js';
import { waitFor } from '../../../support/gateway/gateway-harness.js';

/**
 * Reconnects the gateway's own broker session and returns the topics it
 * publishes once connected, read from its client's outgoing packets: what a
 * restarted broker (or a new start) gets. `until` is the topic whose publish
 * ends the wait; `settleMs` more lets the publishes queued behind it out.
 */
export async function publishedOnReconnect(harness: Harness, until: string, settleMs = 0): Promise<string[]> {
  const client = harness.gateway.mqtt.connection.client;
  const sent: string[] = [];
  const record = (packet: { cmd: string; topic?: string }) => {
    if (packet.cmd === 'publish' && packet.topic) sent.push(packet.topic);
  };
  client.on('packetsend', record);
  try {
    client.reconnect();
    await waitFor(() => sent.includes(until), `${until} published after a reconnect`);
    if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
    return sent;
  } finally {
    client.off('packetsend', record);
  }
}
