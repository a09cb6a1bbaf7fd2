import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = ['fs', 'net', 'child_process', 'timers', 'http', 'https', 'dgram', 'tls', 'worker_threads'];

/**
 * The layers of src/, lowest first (docs/design.md): a file imports its own layer and the ones below, never one
 * above. A name ending in `.js` is a file of src/, any other a folder.
 */
const LAYERS = [
  ['core', 'schema', 'errors.js', 'log.js', 'log-summary.js', 'version.js', 'event-bus.js'],
  ['contract'],
  ['store', 'drivers'],
  ['lane', 'estate'],
  ['commands'],
  ['mqtt', 'http'],
  ['config', 'demo'],
  ['gateway.js', 'gateway', 'cli.js', 'cli', 'secrets.js', 'issued-tokens.js'],
];
const COMPOSITION_ROOT = LAYERS.at(-1);
/** The layers from `level` (0-based) up, and the district receiver, a separate app no gateway part imports. */
const fromLayer = (level) => [...LAYERS.slice(level).flat(), 'district'];

/** What each part of src/ must not import; the same layer is allowed unless named here. */
const FORBIDDEN_IMPORTS = [
  // The pure core also stays off the foundations that do I/O (the logger, the version read from disk).
  { files: ['src/core/**/*.ts'], forbid: ['log.js', 'log-summary.js', 'version.js', ...fromLayer(1)] },
  { files: ['src/schema/**/*.ts', 'src/errors.ts', 'src/log.ts', 'src/log-summary.ts', 'src/version.ts', 'src/event-bus.ts'], forbid: fromLayer(1) },
  { files: ['src/contract/**/*.ts'], forbid: fromLayer(2) },
  { files: ['src/store/**/*.ts'], forbid: ['drivers', ...fromLayer(3)] },
  // Drivers know devices only: not the wire contract, not the database, not the whole config.
  { files: ['src/drivers/**/*.ts'], forbid: ['contract', 'store', ...fromLayer(3)] },
  { files: ['src/lane/**/*.ts', 'src/estate/**/*.ts'], forbid: fromLayer(4) },
  { files: ['src/commands/**/*.ts'], forbid: fromLayer(5) },
  // The two adapters never import each other, except a type where unavoidable.
  { files: ['src/mqtt/**/*.ts'], forbid: fromLayer(6), typeOnly: ['http'] },
  { files: ['src/http/**/*.ts'], forbid: fromLayer(6), typeOnly: ['mqtt'] },
  { files: ['src/config/**/*.ts'], forbid: fromLayer(7) },
  // Parts receive their own settings section; only the composition root reads the whole config type.
  { files: ['src/demo/**/*.ts'], forbid: ['config/schema.js', ...fromLayer(7)] },
  { files: ['src/district/**/*.ts'], forbid: ['lane', 'estate', 'commands', 'http', 'config', 'demo', ...COMPOSITION_ROOT] },
];

/** The import paths that reach `target` from any file of src/ (at most two folders deep). */
const pathsTo = (target) => ['./', '../', '../../'].map((up) => (target.endsWith('.js') ? up + target : `${up}${target}/**`));

const layerPatterns = ({ files, forbid, typeOnly = [] }) => {
  const area = files[0].replace(/\/\*\*\/\*\.ts$|\.ts$/, '');
  const pattern = (target, allowTypeImports) => ({
    group: pathsTo(target),
    allowTypeImports,
    message: `${area} must not import src/${target}: a layer imports only the layers below it (docs/design.md).`,
  });
  return [...forbid.filter((target) => !typeOnly.includes(target)).map((target) => pattern(target, false)), ...typeOnly.map((target) => pattern(target, true))];
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'data/', 'test-artifacts/', 'src/http/public/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-console': 'error',
      // Every line counts, blank and comment lines too: "no file over 300 lines" holds as `wc -l` reads it.
      'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: false, skipComments: false }],
    },
  },
  // The layer map, kept by lint. typescript-eslint's variant of no-restricted-imports, for its type-only exception;
  // the core's I/O ban below is the base rule, so each keeps its own options.
  ...FORBIDDEN_IMPORTS.map((layer) => ({
    files: layer.files,
    rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns: layerPatterns(layer) }] },
  })),
  // Benches, chaos runs and tests share what they share through support/, never through each other.
  ...[
    { files: ['scripts/**/*.ts'], forbid: ['test'] },
    { files: ['test/**/*.ts'], forbid: ['scripts'] },
    { files: ['support/**/*.ts'], forbid: ['test', 'scripts'] },
  ].map(({ files, forbid }) => ({
    files,
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { patterns: forbid.map((folder) => ({ group: [`**/${folder}/**`], message: `${files[0].split('/')[0]}/ must not import ${folder}/: what both need goes in support/.` })) },
      ],
    },
  })),
  {
    // The functional core performs no I/O and reads no clock: time and effects are data.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...ioModules.flatMap((name) => [name, `node:${name}`]),
            'serialport',
            'modbus-serial',
            'mqtt',
            'aedes',
            'better-sqlite3',
            'fastify',
            'pino',
          ].map((name) => ({ name, message: 'src/core is pure: no I/O modules.' })),
        },
      ],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'Use the injected clock.' }],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Time arrives as data in the core.' },
        { name: 'setInterval', message: 'Time arrives as data in the core.' },
      ],
    },
  },
);
