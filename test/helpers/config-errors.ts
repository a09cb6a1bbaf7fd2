import { expect } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { GatewardenError } from '../../src/errors.js';

/** The `key.path: …` lines a config is refused with; fails the test when it is accepted. */
export function configErrors(config: Record<string, unknown>): string[] {
  try {
    validateConfig(config, 'test');
  } catch (error) {
    expect(error).toBeInstanceOf(GatewardenError);
    return [...(error as GatewardenError).details];
  }
  throw new Error('expected the config to be refused');
}
