import type { Logger } from 'pino';
import { Code, GatewardenError } from '../../errors.js';
import type { Listener } from '../device.js';
import { Listeners } from '../listeners.js';
import { createBackoff } from '../health/backoff.js';
import type { LinkState } from '../serial/serial-link.js';
import type modbusSerial from 'modbus-serial';
import type { ModbusClient } from './modbus-client.js';
import type { ModbusLine } from './modbus-line.js';

type SerialTcpClient = InstanceType<typeof modbusSerial.default>;

const RECONNECT = { initialMs: 100, maxMs: 1_000 };

/**
 * Modbus TCP to one server (often an RS-485 gateway with several unit ids
 * behind it). The MBAP transaction id (Modbus Messaging on TCP/IP V1.0b §3.1.3)
 * already pairs replies with requests, and modbus-serial drops replies to
 * requests it has given up on, so no line discipline is needed before a
 * request; what this class adds is reconnection with back-off.
 */
export class TcpLine implements ModbusLine {
  private tcp: SerialTcpClient | undefined;
  private running = false;
  private up = false;
  private reportedDown = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly backoff = createBackoff(RECONNECT);
  private readonly states: Listeners<LinkState>;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly log: Logger,
  ) {
    this.states = new Listeners<LinkState>((error) => log.error({ err: error }, 'link listener failed'));
  }

  /** The bus asks for the client only while the line is up, so it exists by then. */
  get client(): ModbusClient {
    if (!this.tcp) throw new GatewardenError('GW_DEVICE_IO', `${this.host}:${this.port} not connected`);
    return this.tcp;
  }

  get isUp(): boolean {
    return this.up && this.tcp?.isOpen === true;
  }

  onState(listener: Listener<LinkState>): void {
    this.states.add(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.connect();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    const tcp = this.tcp;
    if (tcp?.isOpen) await new Promise<void>((resolve) => tcp.close(() => resolve()));
    this.up = false;
  }

  beforeRequest(): undefined {
    return undefined;
  }

  /**
   * modbus-serial is loaded here, so a gateway without Modbus TCP devices never
   * loads it (issue 14). It is CommonJS and sets `module.exports.default =
   * module.exports`; under NodeNext its types see the default import as the
   * whole module, so the client class is reached through `.default`, which
   * exists at run time too.
   */
  private async tcpClient(): Promise<SerialTcpClient> {
    if (this.tcp) return this.tcp;
    const { default: serial } = await import('modbus-serial');
    const tcp = new serial.default();
    tcp.on('error', (error: unknown) => this.log.warn({ err: error, code: Code.GW_DEVICE_IO }, 'modbus tcp error'));
    tcp.on('close', () => this.down(new GatewardenError('GW_DEVICE_IO', `${this.host}:${this.port} connection closed`)));
    this.tcp = tcp;
    return tcp;
  }

  private async connect(): Promise<void> {
    const tcp = await this.tcpClient();
    try {
      await tcp.connectTCP(this.host, { port: this.port });
    } catch (error) {
      this.down(new GatewardenError('GW_DEVICE_IO', `cannot connect to ${this.host}:${this.port}: ${(error as Error).message}`));
      return;
    }
    if (!this.running) {
      tcp.close(() => {});
      return;
    }
    this.up = true;
    this.reportedDown = false;
    this.backoff.reset();
    this.log.info({ host: this.host, port: this.port }, 'modbus tcp connected');
    this.states.emit({ up: true });
  }

  private down(error: GatewardenError): void {
    this.up = false;
    if (!this.running) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), this.backoff.next());
    if (this.reportedDown) return;
    this.reportedDown = true;
    this.log.warn({ code: error.code, err: error }, 'modbus tcp down, reconnecting');
    this.states.emit({ up: false, error });
  }
}
