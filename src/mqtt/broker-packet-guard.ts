import type { Duplex } from 'node:stream';

/**
 * Reads the MQTT fixed header of every packet as its bytes arrive, so an
 * announced length is known before the body is buffered. aedes hands each
 * chunk to mqtt-packet, whose parser keeps a packet until it is whole: a
 * CONNECT announcing 100 MB is 100 MB in memory before authentication runs.
 *
 * [MQTT 3.1.1 §2.2.3] Remaining Length: up to four bytes, seven bits each,
 * least significant first, the high bit saying another byte follows.
 */
export class PacketLengthReader {
  /** Body bytes of the current packet still to skip. */
  private skip = 0;
  /** The type byte is read and the length bytes are being read. */
  private inHeader = false;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;

  constructor(private readonly maxPacketBytes: number) {}

  /** The first announced length above the limit, 'malformed' for a fifth length byte, or undefined when all is well. */
  feed(chunk: Uint8Array): number | 'malformed' | undefined {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.skip > 0) {
        const step = Math.min(this.skip, chunk.length - offset);
        this.skip -= step;
        offset += step;
        continue;
      }
      const byte = chunk[offset] as number;
      offset += 1;
      if (!this.inHeader) {
        this.inHeader = true;
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes += 1;
      if (byte & 0x80) {
        // [MQTT-2.2.3] at most four length bytes.
        if (this.lengthBytes >= 4) return 'malformed';
        continue;
      }
      this.inHeader = false;
      if (this.length > this.maxPacketBytes) return this.length;
      this.skip = this.length;
    }
    return undefined;
  }
}

/**
 * Cuts `socket` as soon as a packet announces more than `maxPacketBytes`.
 * It listens to 'data', which a stream read through 'readable' (as aedes
 * reads) emits for every chunk `read()` returns, before aedes parses it
 * ([Node.js stream docs: "'data' will be emitted only when stream.read() is
 * called"]). Attach it after `broker.handle(socket)`, so aedes' 'readable'
 * listener keeps control of the flow.
 */
export function guardPacketSize(socket: Duplex, maxPacketBytes: number, onOversized: (announced: number | 'malformed') => void): void {
  const reader = new PacketLengthReader(maxPacketBytes);
  const onData = (chunk: Buffer) => {
    const verdict = reader.feed(chunk);
    if (verdict === undefined) return;
    socket.off('data', onData);
    onOversized(verdict);
    socket.destroy();
  };
  socket.on('data', onData);
}
