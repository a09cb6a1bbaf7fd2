#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { loadConfig } from './config/load-config.js';
import { GatewardenError } from './errors.js';
import { CMD_USAGE, runCmd } from './cli/cmd.js';
import { runHashPassword } from './cli/hash-password.js';
import { runKeys } from './cli/keys.js';
import { CREDENTIALS_USAGE, runCredentials } from './cli/credentials.js';
import { runStart } from './cli/start.js';
import { runTrace } from './cli/trace.js';

const USAGE = `gatewarden: estate entrance gateway

Usage:
  gatewarden start [CONFIG] [--new-database]
                                      run the gateway (default config/demo.yaml); --new-database starts
                                      an empty database where the one created before is missing
  gatewarden check-config CONFIG...   validate config files; exit 1 on the first invalid one
  gatewarden trace CONFIG --subject ID [--kind card|health-pass|plate] [--from ISO] [--to ISO]
                  [--window-min 5] [--format json|csv] [--output trail|contacts] [--bom]
                                      a subject's movement trail and contacts
  gatewarden keys init SECRETS_FILE    create a secrets file (estate key, MQTT passwords)
  gatewarden keys generate [--kid ID] print a new Ed25519 key pair (issuer or manager key)
  gatewarden keys issue --key FILE --sub ID [--col green|yellow|red] [--hours N]
                                      sign an HP1 health pass with a key pair file
  gatewarden keys hash-password       read a password (stdin, or a prompt on a terminal) and print
                                      its scrypt hash for mqtt.broker.users[].passwordHash
  ${CMD_USAGE}
  ${CREDENTIALS_USAGE}
`;

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

function fail(text: string, code = 1): never {
  process.stderr.write(`${text}\n`);
  process.exit(code);
}

export function describeError(error: unknown): string {
  if (error instanceof GatewardenError) {
    return [`${error.code}: ${error.message}`, ...error.details.map((line) => `  - ${line}`)].join('\n');
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { 'new-database': { type: 'boolean' } } });
      return runStart(positionals[0] ?? 'config/demo.yaml', { newDatabase: values['new-database'] ?? false });
    }
    case 'check-config': {
      if (rest.length === 0) fail(USAGE, 2);
      for (const path of rest) {
        loadConfig(path);
        out(`${path}: ok`);
      }
      return;
    }
    case 'trace': {
      const { values, positionals } = parseArgs({
        args: rest.filter((arg) => arg !== '--bom'),
        allowPositionals: true,
        options: Object.fromEntries(['subject', 'kind', 'hash', 'from', 'to', 'window-min', 'format', 'output'].map((name) => [name, { type: 'string' as const }])),
      });
      if (!positionals[0]) fail(USAGE, 2);
      out(runTrace(positionals[0], { ...values, windowMin: values['window-min'], bom: rest.includes('--bom') } as Parameters<typeof runTrace>[1]));
      return;
    }
    case 'credentials':
      return out(runCredentials(rest));
    case 'cmd':
      process.exitCode = await runCmd(rest, { out, err: (text) => process.stderr.write(`${text}\n`) });
      return;
    case 'keys': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { kid: { type: 'string' }, key: { type: 'string' }, sub: { type: 'string' }, col: { type: 'string' }, hours: { type: 'string' } },
      });
      out(positionals[0] === 'hash-password' ? await runHashPassword(process.stdin, process.stderr) : runKeys(positionals[0], values, positionals[1]));
      return;
    }
    case undefined:
    case 'help':
    case '--help':
      out(USAGE);
      return;
    default:
      fail(`unknown command "${command}"\n\n${USAGE}`, 2);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => fail(describeError(error)));
