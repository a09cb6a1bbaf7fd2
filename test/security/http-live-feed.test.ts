import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpProcess } from './http-process.js';

interface Stream {
  status: number;
  reader?: ReadableStreamDefaultReader<Uint8Array>;
  abort: AbortController;
}

/** Issue 12, observation 10: "An auditor with 64 event streams got the guard a 503, so the guard saw no fever alarms." */
describe('http: live-feed slots per token', () => {
  const gateway = new HttpProcess();
  const streams: Stream[] = [];

  const open = async (role: 'auditor' | 'guard'): Promise<Stream> => {
    const abort = new AbortController();
    const response = await gateway.get('/api/events', role, { signal: abort.signal });
    const stream: Stream = { status: response.status, abort, ...(response.body ? { reader: response.body.getReader() } : {}) };
    streams.push(stream);
    return stream;
  };
  /** The first chunk of a stream: `: connected`, or done when the gateway closed it. */
  const first = async (stream: Stream) => {
    const chunk = await stream.reader?.read();
    return chunk?.done ? 'closed' : new TextDecoder().decode(chunk?.value);
  };

  beforeAll(() => gateway.start(), 40_000);
  afterAll(async () => {
    for (const stream of streams) stream.abort.abort();
    await gateway.remove();
  });

  it('64 auditor streams do not lock the guard out', async () => {
    const auditor: Stream[] = [];
    for (let i = 0; i < 64; i += 1) auditor.push(await open('auditor'));
    const guard = await open('guard');
    expect(guard.status).toBe(200);
    expect(await first(guard)).toContain('connected');
    // The auditor keeps only its newest streams; the oldest were closed to make room.
    expect(auditor.every((s) => s.status === 200)).toBe(true);
    expect(await first(auditor[0] as Stream)).toContain('connected');
    const oldest = await Promise.race([(auditor[0] as Stream).reader?.read().then((r) => (r.done ? 'closed' : 'open')), new Promise((resolve) => setTimeout(() => resolve('open'), 2000))]);
    expect(oldest).toBe('closed');
  }, 60_000);
});
