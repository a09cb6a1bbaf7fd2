import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHUNK = Buffer.alloc(64 * 1024, 0xaa);

/**
 * A small tmpfs of its own, so the database can run out of space without
 * touching the machine's disk. Mounting needs root (as in CI's container);
 * `mount` says why when it is not allowed.
 */
export class SmallDisk {
  private readonly filler: string;

  private constructor(
    readonly path: string,
    private readonly sizeMiB: number,
  ) {
    this.filler = join(path, 'filler');
  }

  static mount(sizeMiB: number): SmallDisk | { unavailable: string } {
    const path = mkdtempSync(join(tmpdir(), 'gw-disk-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', path], { stdio: 'pipe' });
    } catch (error) {
      rmSync(path, { recursive: true, force: true });
      return { unavailable: `cannot mount a tmpfs (needs root): ${(error as Error).message.split('\n')[0]}` };
    }
    mkdirSync(join(path, 'db'));
    return new SmallDisk(path, sizeMiB);
  }

  get databaseDir(): string {
    return join(this.path, 'db');
  }

  /** Writes a filler file until the disk reports ENOSPC (it must, within its size). */
  fill(): void {
    const fd = openSync(this.filler, 'a');
    try {
      for (let written = 0; written <= this.sizeMiB * 2 ** 20; written += CHUNK.length) writeSync(fd, CHUNK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return;
      throw error;
    } finally {
      closeSync(fd);
    }
    throw new Error(`${this.path} took more than ${this.sizeMiB} MiB without filling up`);
  }

  /** Space returns. */
  free(): void {
    rmSync(this.filler, { force: true });
  }

  unmount(): void {
    execFileSync('umount', [this.path], { stdio: 'pipe' });
    rmSync(this.path, { recursive: true, force: true });
  }
}
