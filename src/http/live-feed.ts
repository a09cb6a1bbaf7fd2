import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** Bytes a slow client may have queued before it is dropped (it reconnects and reloads the state). */
const MAX_BUFFERED_BYTES = 1_000_000;
/** Keeps proxies and the tablet's network stack from closing an idle stream. */
const HEARTBEAT_MS = 15_000;
export const MAX_CLIENTS = 64;

export type LiveEventName = 'passage' | 'alert' | 'lane' | 'device' | 'mode';

/**
 * Server-Sent Events to the guard-room pages [WHATWG HTML, 9.2]. Every
 * client gets every event; memory per client is bounded by the socket's
 * buffer limit above, and the number of clients by MAX_CLIENTS.
 */
export class LiveFeed {
  private readonly clients = new Set<ServerResponse>();
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

  /** Takes over a response as an event stream; false when the feed is full. */
  attach(response: ServerResponse): boolean {
    if (this.clients.size >= MAX_CLIENTS) return false;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    // retry: how long the browser waits before reconnecting [WHATWG HTML, 9.2.6].
    response.write('retry: 2000\n: connected\n\n');
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
    return true;
  }

  publish(event: LiveEventName, data: unknown): void {
    if (this.clients.size === 0) return;
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private write(chunk: string): void {
    for (const client of this.clients) {
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
