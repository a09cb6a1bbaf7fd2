import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** Bytes a slow client may have queued before it is dropped (it reconnects and reloads the state). */
const MAX_BUFFERED_BYTES = 1_000_000;
/**
 * Keeps proxies and the tablet's network stack from closing an idle stream,
 * and tells the page the link is alive: it greys out after 3 heartbeats of
 * silence (the stale-screen guard, public/app.js).
 */
const HEARTBEAT_MS = 5_000;
export const MAX_CLIENTS = 64;
/**
 * Streams one token may hold: a few pages (tablets sharing a guard token, a
 * reload in flight) and no more. Beyond it, pages sharing one token take
 * turns; docs/http.md advises a token per tablet.
 */
const MAX_CLIENTS_PER_TOKEN = 8;

export type LiveEventName = 'passage' | 'alert' | 'lane' | 'device' | 'mode';

/**
 * Server-Sent Events to the guard-room pages [WHATWG HTML, 9.2]. Every
 * client gets every event; memory per client is bounded by the socket's
 * buffer limit above, and the number of clients by MAX_CLIENTS.
 *
 * No token can lock another out (issue 12, observation 10): a token at its
 * own limit gives up its oldest stream for the new one (a tablet whose Wi-Fi
 * dropped still holds a dead stream until TCP notices), and a full feed makes
 * room by closing the oldest stream of the token holding the most, as long as
 * that token holds more than the newcomer.
 */
export class LiveFeed {
  /** Each client's token, in order of arrival. */
  private readonly clients = new Map<ServerResponse, string>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log.child({ module: 'live-feed' });
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Whether `owner` (a token's principal) can get a stream now, making room when fair; false when the feed is full. */
  admit(owner: string): boolean {
    const held = this.streamsOf(owner);
    if (held.length >= MAX_CLIENTS_PER_TOKEN) {
      this.evict(held[0] as ServerResponse, 'token at its live-feed limit: its oldest stream closed');
      return true;
    }
    if (this.clients.size < MAX_CLIENTS) return true;
    const [largest, streams] = this.largestHolder();
    if (streams.length <= held.length + 1) return false;
    this.evict(streams[0] as ServerResponse, `live feed full: oldest stream of ${largest} closed to make room`);
    return true;
  }

  /** Takes over a response as an event stream for `owner`; call `admit` first. False when the feed is full. */
  attach(response: ServerResponse, owner: string): boolean {
    if (this.clients.size >= MAX_CLIENTS) return false;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // retry: how long the browser waits before reconnecting [WHATWG HTML, 9.2.6].
    response.write('retry: 2000\n: connected\n\n');
    this.clients.set(response, owner);
    response.on('close', () => this.clients.delete(response));
    return true;
  }

  publish(event: LiveEventName, data: unknown): void {
    if (this.clients.size === 0) return;
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients.keys()) client.end();
    this.clients.clear();
  }

  private streamsOf(owner: string): ServerResponse[] {
    return [...this.clients].filter(([, holder]) => holder === owner).map(([client]) => client);
  }

  private largestHolder(): [string, ServerResponse[]] {
    const byOwner = new Map<string, ServerResponse[]>();
    for (const [client, owner] of this.clients) byOwner.set(owner, [...(byOwner.get(owner) ?? []), client]);
    return [...byOwner].reduce((a, b) => (b[1].length > a[1].length ? b : a), ['', []]);
  }

  private evict(client: ServerResponse, why: string): void {
    this.log.info({ owner: this.clients.get(client) }, why);
    this.clients.delete(client);
    client.end();
  }

  private write(chunk: string): void {
    for (const client of this.clients.keys()) {
      if (client.writableLength > MAX_BUFFERED_BYTES) {
        this.log.warn({ buffered: client.writableLength }, 'slow live-feed client dropped');
        this.clients.delete(client);
        client.destroy();
        continue;
      }
      client.write(chunk);
    }
  }
}
