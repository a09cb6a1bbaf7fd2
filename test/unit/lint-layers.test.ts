import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm run lint` keeps the layer map (eslint.config.js, docs/design.md): source text is linted as if it sat at a
 * path of src/ that need not exist, so these hold whatever the rest of the tree looks like.
 */
const LAYERS_RULE = '@typescript-eslint/no-restricted-imports';

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: process.cwd() });
});

/** The rule ids ESLint reports for `text` placed at `filePath`. */
async function reported(filePath: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath });
  return (result?.messages ?? []).map((message) => message.ruleId ?? message.message);
}

const sourceUsing = (from: string, { typeOnly = false } = {}): string => `import ${typeOnly ? 'type ' : ''}{ thing } from '${from}';\nexport const used: unknown = thing;\n`;

describe('lint: imports follow the layer map', () => {
  it.each([
    ['the store importing the MQTT adapter', 'src/store/fixture.ts', '../mqtt/topics.js'],
    ['the store importing a lane', 'src/store/fixture.ts', '../lane/lane-runner.js'],
    ['the store importing a device driver', 'src/store/fixture.ts', '../drivers/device.js'],
    ['the contract importing the store', 'src/contract/fixture.ts', '../store/outbox.js'],
    ['a driver two folders deep reading the whole config', 'src/drivers/serial/fixture.ts', '../../config/schema.js'],
    ['a lane importing the command service', 'src/lane/fixture.ts', '../commands/command-service.js'],
    ['the estate importing the HTTP adapter', 'src/estate/fixture.ts', '../http/app.js'],
    ['the core importing the logger', 'src/core/fixture.ts', '../log.js'],
    ['an HTTP route importing the gateway', 'src/http/routes/fixture.ts', '../../gateway.js'],
    ['the demo reading the whole config type', 'src/demo/fixture.ts', '../config/schema.js'],
    ['a gateway part importing the district receiver', 'src/mqtt/fixture.ts', '../district/receiver.js'],
    ['the district receiver importing a lane', 'src/district/fixture.ts', '../lane/lane-runner.js'],
    ['a foundation file at the root importing a layer above', 'src/errors.ts', './mqtt/topics.js'],
  ])('reports %s', async (_name, filePath, from) => {
    expect(await reported(filePath, sourceUsing(from))).toContain(LAYERS_RULE);
  });

  it.each([
    ['the store importing the contract', 'src/store/fixture.ts', '../contract/topics.js'],
    ['the store importing its own layer', 'src/store/fixture.ts', './journal.js'],
    ['a driver importing the core', 'src/drivers/serial/fixture.ts', '../../core/clock.js'],
    ['a lane importing the estate, its own layer', 'src/lane/fixture.ts', '../estate/estate-state.js'],
    ['the commands importing a lane', 'src/commands/fixture.ts', '../lane/lane-runner.js'],
    ['the config gathering a part’s settings', 'src/config/fixture.ts', '../mqtt/config-schema.js'],
    ['the composition root importing anything', 'src/gateway.ts', './config/schema.js'],
    ['the district receiver importing the MQTT connection', 'src/district/fixture.ts', '../mqtt/connection.js'],
    ['an adapter importing a package of the same name', 'src/store/fixture.ts', 'mqtt'],
  ])('allows %s', async (_name, filePath, from) => {
    expect(await reported(filePath, sourceUsing(from))).toEqual([]);
  });

  it('lets one adapter import a type from the other, and nothing more', async () => {
    expect(await reported('src/mqtt/fixture.ts', sourceUsing('../http/labels.js', { typeOnly: true }))).toEqual([]);
    expect(await reported('src/mqtt/fixture.ts', sourceUsing('../http/labels.js'))).toContain(LAYERS_RULE);
  });

  it('keeps the core free of I/O modules', async () => {
    expect(await reported('src/core/fixture.ts', sourceUsing('node:fs'))).toContain('no-restricted-imports');
  });
});

describe('lint: scripts and tests share through support/ only', () => {
  it.each([
    ['a bench reaching into a test helper', 'scripts/bench/fixture.ts', '../../test/helpers/lane-setup.js'],
    ['a test reaching into a script', 'test/integration/fixture.test.ts', '../../scripts/chaos/run.js'],
    ['support importing a test helper', 'support/gateway/fixture.ts', '../../test/helpers/resident.js'],
  ])('reports %s', async (_name, filePath, from) => {
    expect(await reported(filePath, sourceUsing(from))).toContain(LAYERS_RULE);
  });

  it('allows both to import support/', async () => {
    expect(await reported('scripts/bench/fixture.ts', sourceUsing('../../support/gateway/gateway-process.js'))).toEqual([]);
    expect(await reported('test/blackbox/fixture.test.ts', sourceUsing('../../support/gateway/gateway-process.js'))).toEqual([]);
  });
});

describe('lint: sizes in src/', () => {
  const lines = (count: number): string => Array.from({ length: count }, (_, i) => `export const line${i} = ${i};`).join('\n');
  /** A function `count` lines long, its signature and closing brace included. */
  const fn = (count: number): string => `export function long(): number {\n  let n = 0;\n${'  n += 1;\n'.repeat(count - 4)}  return n;\n}\n`;

  it('a file of 300 lines passes; 301 lines fail, blank and comment lines counted', async () => {
    expect(await reported('src/core/fixture.ts', lines(300))).toEqual([]);
    expect(await reported('src/core/fixture.ts', `${lines(299)}\n\n// one more`)).toContain('max-lines');
  });

  it('a function of 60 lines passes; 61 lines fail', async () => {
    expect(await reported('src/core/fixture.ts', fn(60))).toEqual([]);
    expect(await reported('src/core/fixture.ts', fn(61))).toContain('max-lines-per-function');
  });

  it('does not limit tests and scripts', async () => {
    expect(await reported('test/unit/fixture.test.ts', lines(400))).toEqual([]);
  });
});
