import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GatewardenError } from '../../errors.js';
import type { Announcer } from '../device.js';
import type { DeviceContext } from '../profile/device-context.js';
import type { PlayerSpec } from '../profile/announcer-schema.js';
import { ProfileDevice } from '../profile/profile-device.js';
import type { Clip, ClipCatalogue } from './announcer-clips.js';

/** `<clipsDir>/0001.wav`: the module's file numbering, so one rendered set serves both. */
export function clipFile(clipsDir: string, clip: number): string {
  return join(resolve(clipsDir), `${String(clip).padStart(4, '0')}.wav`);
}

/**
 * Plays pre-rendered clips through a local player (aplay). One clip plays at a
 * time; at most `queueLength` wait, and a new clip drops the oldest waiting one
 * (latest wins) and, with `interrupt`, cuts the playing one short. A missing
 * player or a failing sound card makes the device degraded, then offline (a
 * device-fault alert); the lane never waits for it.
 */
export class AplayAnnouncer extends ProfileDevice implements Announcer {
  readonly role = 'announcer' as const;
  private readonly queue: Clip[] = [];
  private current: ChildProcess | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  /** Clips dropped from a full queue, since start. */
  dropped = 0;
  /** Clips whose player exited successfully, since start. */
  readonly played: number[] = [];

  constructor(
    context: DeviceContext,
    private readonly player: PlayerSpec,
    readonly clips: ClipCatalogue,
  ) {
    super(context);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    // Probe once: a player that is not installed shows as offline from the start, not at the first announcement.
    await new Promise<void>((done) => {
      const probe = spawn(this.player.command, ['--version'], { stdio: 'ignore' });
      probe.once('error', (error) => {
        this.health.linkDown(this.missing(error));
        done();
      });
      probe.once('spawn', () => {
        this.health.succeeded();
        done();
      });
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.queue.length = 0;
    this.current?.kill('SIGTERM');
  }

  play(clip: Clip): void {
    if (!this.running) return;
    if (this.queue.length >= this.player.queueLength) {
      this.queue.shift();
      this.dropped += 1;
    }
    this.queue.push(clip);
    if (this.player.interrupt) this.current?.kill('SIGTERM');
    this.next();
  }

  private next(): void {
    if (this.current !== undefined || !this.running) return;
    const clip = this.queue.shift();
    if (clip === undefined) return;
    const file = clipFile(this.player.clipsDir, clip.number);
    if (!existsSync(file)) {
      this.fail(new GatewardenError('GW_DEVICE_IO', `${this.id}: clip ${file} is missing (render the clips: docs/devices.md, Announcers)`));
      this.next();
      return;
    }
    const args = this.player.args.map((arg) => arg.replaceAll('{file}', file));
    const child = spawn(this.player.command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.current = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 500) stderr += chunk.toString('utf8');
    });
    this.killTimer = setTimeout(() => child.kill('SIGKILL'), this.player.maxClipMs);
    this.log.info({ clip: clip.number, text: clip.text }, 'announce');
    child.once('error', (error) => this.finished(child, clip, this.missing(error)));
    child.once('exit', (code, signal) => {
      // SIGTERM is ours: a newer clip cut this one short (or the gateway stops). Neither played nor failed.
      if (signal === 'SIGTERM') return this.finished(child, undefined, undefined);
      const failed = code !== 0 ? new GatewardenError('GW_DEVICE_IO', `${this.id}: ${this.player.command} exited ${code ?? signal}: ${stderr.trim().slice(0, 200)}`) : undefined;
      this.finished(child, clip, failed);
    });
  }

  private finished(child: ChildProcess, clip: Clip | undefined, error: GatewardenError | undefined): void {
    if (this.current !== child) return;
    clearTimeout(this.killTimer);
    this.current = undefined;
    if (error) this.fail(error);
    else if (clip) {
      this.played.push(clip.number);
      if (this.played.length > 100) this.played.shift();
      this.health.succeeded();
    }
    this.next();
  }

  private fail(error: GatewardenError): void {
    this.health.failed(error);
    this.log.warn({ code: error.code, err: error.message }, 'announcement not played');
  }

  private missing(error: Error): GatewardenError {
    return new GatewardenError('GW_DEVICE_IO', `${this.id}: cannot run ${this.player.command}: ${error.message}`);
  }
}
