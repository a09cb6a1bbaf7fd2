import { Command, Option } from 'commander';
import { SUBJECT_KINDS } from '../core/credential.js';
import type { CmdOptions } from './cmd.js';
import { DEBUG_ENV } from './describe-error.js';
import type { Io } from './io.js';
import type { TraceOptions } from './trace.js';

const DEFAULT_CONFIG = 'config/demo.yaml';

/**
 * Every `gatewarden` subcommand, its arguments, options and help, on
 * commander (issue 16, the CLI: `--help` everywhere, `--version`, a one-line
 * error and exit 2 for a bad argument). The actions only call the run*
 * functions of src/cli/, imported when the command runs (help and usage
 * errors do not load the gateway); each sets process.exitCode or throws,
 * and cli.ts turns a throw into a coded message and exit 1.
 */
export function buildProgram(version: string, io: Io): Command {
  const program = new Command('gatewarden')
    .description('estate entrance gateway: screening lanes, barriers, passage log, MQTT alerts, guard-room page')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .helpCommand('help [command]', 'show the help of a command')
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Each command has its own help: gatewarden <command> --help (gatewarden keys generate --help).
Exit codes: 0 done; 1 the command failed (an invalid config, a refused command, …); 2 wrong arguments.
An unexpected error prints its message; ${DEBUG_ENV}=1 prints its stack too. Reference: docs/operations.md.`,
    );
  addGatewayCommands(program, io);
  addOperatorCommands(program, io);
  return program;
}

/** Running and checking the gateway, tracing from its log, the district receiver. */
function addGatewayCommands(program: Command, io: Io): void {
  program
    .command('start')
    .description('run the gateway until SIGINT or SIGTERM')
    .argument('[config]', 'config file', DEFAULT_CONFIG)
    .option('--new-database', 'start an empty database where the one created before is missing')
    .action(async (config: string, options: { newDatabase?: boolean }) => (await import('./start.js')).runStart(config, { newDatabase: options.newDatabase === true }));

  program
    .command('check-config')
    .description('validate config files: every error of every file, with line:column; exit 1 if any is invalid')
    .argument('<config...>', 'config files')
    .action(async (configs: string[]) => {
      process.exitCode = (await import('./check-config.js')).runCheckConfig(configs, io);
    });

  program
    .command('check-profile')
    .description('validate device profiles (devices/<model>.yaml): schema, cross-checks, simulator examples; exit 1 if any is invalid')
    .argument('<file...>', 'profile files; the model must equal the file name')
    .action(async (files: string[]) => {
      process.exitCode = (await import('./check-profile.js')).runCheckProfile(files, io);
    });

  program
    .command('trace')
    .description("a subject's movement trail and contacts, from the passage log (the lookup is audited)")
    .argument('<config>', 'config file of the gateway whose database is read')
    .option('--subject <id>', 'card UID, health-pass subject or plate, as written')
    .option('--hash <hash>', 'a subject hash from an alert or export, instead of --subject')
    .addOption(new Option('--kind <kind>', 'what --subject is').choices(SUBJECT_KINDS).default('card'))
    .option('--from <iso>', 'start of the range (default: 14 days before --to)')
    .option('--to <iso>', 'end of the range (default: now)')
    .option('--window-min <minutes>', 'contacts: passages at the same gate within this many minutes', '5')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json'))
    .addOption(new Option('--output <what>', 'with --format csv: which table').choices(['trail', 'contacts']).default('trail'))
    .option('--bom', 'start the CSV with a UTF-8 byte order mark (Excel)')
    .action(async (config: string, options: TraceOptions) => io.out((await import('./trace.js')).runTrace(config, options)));

  program
    .command('district')
    .description("run the district receiver: verify, store and complete many estates' report streams (docs/district.md)")
    .argument('<config>', 'district config file (config/district.yaml)')
    .action(async (config: string) => (await import('../district/run.js')).runDistrict(config));
}

/** What an operator does beside the running gateway: its credentials, signed commands, keys, backups, the announcer's clips. */
function addOperatorCommands(program: Command, io: Io): void {
  const credentials = program.command('credentials').description('the secrets the gateway generated, on request only');
  credentials
    .command('show')
    .description('print the generated MQTT passwords (all, or one role), with a mosquitto_sub line for the observer')
    .argument('[config]', 'config file', DEFAULT_CONFIG)
    .option('--role <role>', 'only this user (gateway, observer, manager, approver)')
    .action(async (config: string, options: { role?: string }) => io.out((await import('./credentials.js')).runCredentials(config, options)));

  program
    .command('cmd')
    .description('sign a command with a manager key, publish it, print the reply (exit 0 ok, 1 refused or no reply, 2 usage)')
    .argument('<name>', 'command name (lockdown, mode, lists, visitor, …)')
    .argument('[json]', 'command body, a JSON object', '{}')
    .option('--key <file>', 'key pair from "keys generate", or a secrets file with its managerKey')
    .option('--broker <url>', 'broker URL, mqtt://host:port or mqtts://…')
    .option('--estate <id>', 'estate id (the topic prefix is gatewarden/<id>)')
    .option('--prefix <topic>', 'topic prefix, instead of --estate')
    .option('--user <name>', 'MQTT user')
    .option('--password <password>', 'MQTT password (or GATEWARDEN_MQTT_PASSWORD, kept out of argv)')
    .option('--timeout-s <seconds>', 'how long to wait for the reply', '10')
    .option('--protocol <version>', 'MQTT protocol 5 or 4 (default: 5, then 4)')
    .action(async (name: string, json: string, options: CmdOptions) => {
      process.exitCode = await (await import('./cmd.js')).runCmd(name, json, options, io);
    });

  // The help lists commands in the order they are added: keys after cmd.
  addKeys(program, io);

  program
    .command('backup')
    .description("copy the passage database while the gateway runs (SQLite online backup), 0600, checked; prints the path and size")
    .argument('[config]', 'config file of the gateway', DEFAULT_CONFIG)
    .requiredOption('--to <file>', 'the backup file to create (never overwritten)')
    .action(async (config: string, options: { to: string }) => io.out(await (await import('./backup.js')).runBackup(config, options.to)));

  program
    .command('render-clips')
    .description("render the announcer's clips to WAV with espeak-ng, for local playback (voice-aplay-local)")
    .argument('[dir]', 'where the clips go', './data/clips')
    .option('--catalogue <name>', 'clip catalogue in devices/clips/', 'announcer-clips')
    .option('--voice <voice>', 'espeak-ng voice (default: from the catalogue language)')
    .action(async (dir: string, options: { catalogue: string; voice?: string }) => io.out(await (await import('./render-clips.js')).runRenderClips(dir, options)));
}

function addKeys(program: Command, io: Io): void {
  const keys = program.command('keys').description('secrets files, key pairs, test health passes and broker password hashes');
  keys
    .command('init')
    .description('create a secrets file (estate key, MQTT passwords), mode 0600; never overwrites')
    .argument('<secrets-file>', 'path of the secrets file to create')
    .action(async (file: string) => io.out((await import('./keys.js')).runKeys('init', {}, file)));
  keys
    .command('generate')
    .description('print a new Ed25519 key pair (issuer or manager key) as JSON')
    .option('--kid <id>', 'key id', 'issuer-1')
    .action(async (options: { kid: string }) => io.out((await import('./keys.js')).runKeys('generate', options)));
  keys
    .command('issue')
    .description('sign an HP1 health pass with a key pair file (for tests and drills)')
    .requiredOption('--key <file>', 'key pair file from "keys generate"')
    .requiredOption('--sub <id>', 'the subject of the pass')
    .addOption(new Option('--col <colour>', 'code colour').choices(['green', 'yellow', 'red']).default('green'))
    .option('--hours <n>', 'hours until the pass expires', '24')
    .action(async (options: { key: string; sub: string; col: string; hours: string }) => io.out((await import('./keys.js')).runKeys('issue', options)));
  keys
    .command('export-gateway')
    .description("print the gateway's public key (raw 32 bytes, base64url) and kid, for the district to register")
    .argument('[config]', 'config file', DEFAULT_CONFIG)
    .action(async (config: string) => io.out((await import('./export-gateway.js')).runExportGateway(config)));
  keys
    .command('hash-password')
    .description('read a password (stdin, or a prompt on a terminal) and print its scrypt hash for mqtt.broker.users[].passwordHash')
    .action(async () => io.out(await (await import('./hash-password.js')).runHashPassword(process.stdin, process.stderr)));
}
