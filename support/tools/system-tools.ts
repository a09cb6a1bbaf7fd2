import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe } from 'vitest';

/**
 * Absolute path of a system tool, or undefined when it is not installed. An
 * absolute path names a file that must exist (a header such as modbus.h counts).
 */
export function findTool(name: string): string | undefined {
  if (name.startsWith('/')) return existsSync(name) ? name : undefined;
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * `describe` that runs only when the named system tools exist. Locally a missing
 * tool skips the block with a message naming it; under CI (`CI=true`) it fails,
 * so CI never skips silently.
 */
export function describeWithTools(tools: readonly string[], name: string, body: () => void): void {
  const missing = tools.filter((tool) => findTool(tool) === undefined);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  const message = `needs ${missing.join(', ')} (not installed; apt-get install ${missing.map((t) => t.replace(/^\/usr\/bin\//, '')).join(' ')})`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      throw new Error(`${name}: ${message}`);
    });
    return;
  }
  process.stderr.write(`skipping "${name}": ${message}\n`);
  describe.skip(`${name} [skipped: ${message}]`, body);
}
