import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = ['fs', 'net', 'child_process', 'timers', 'http', 'https', 'dgram', 'tls', 'worker_threads'];

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
    rules: { 'no-console': 'error' },
  },
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
