import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithTools } from '../../support/tools/system-tools.js';

/**
 * Issue 16, the CLI, from outside: the built CLI (`npm run build` first) as an
 * installer types it. Every command answers --help, a wrong call gets one
 * line and exit 2 and never a stack trace, and check-config reports every
 * mistake of every file in one run, each with its line:column.
 */
const CLI = 'dist/cli.js';
const dir = mkdtempSync(join(tmpdir(), 'gatewarden-cli-help-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: readonly string[], cwd = process.cwd()) {
  const result = spawnSync(process.execPath, [join(process.cwd(), CLI), ...args], { encoding: 'utf8', timeout: 30_000, cwd });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The names under "Commands:" in a help text, without the built-in `help`. */
function commandsIn(help: string): string[] {
  const section = help.split(/^Commands:$/m)[1] ?? '';
  return [...section.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((match) => match[1] as string).filter((name) => name !== 'help');
}

/** The commands the issue names; the help may list more (each gets the same checks). */
const KNOWN_TOP = ['start', 'check-config', 'check-profile', 'trace', 'credentials', 'cmd', 'keys', 'backup', 'render-clips'];
const KNOWN_NESTED: Record<string, string[]> = { keys: ['init', 'generate', 'issue', 'hash-password'], credentials: ['show'] };
// Read from the help itself, so a command added later is held to the same checks.
const TOP = commandsIn(run(['--help']).stdout);
const GROUPS = TOP.map((name) => [name, commandsIn(run([name, '--help']).stdout)] as const).filter(([, subs]) => subs.length > 0);
const ALL = [...TOP.map((name) => [name]), ...GROUPS.flatMap(([group, subs]) => subs.map((sub) => [group, sub]))];

describe('gatewarden --help, -h and --version', () => {
  it('lists every command at the top and in each group', () => {
    expect(TOP).toEqual(expect.arrayContaining(KNOWN_TOP));
    for (const [group, subs] of Object.entries(KNOWN_NESTED)) expect(GROUPS.find(([name]) => name === group)?.[1], group).toEqual(expect.arrayContaining(subs));
  });

  it.each(ALL.map((command) => [command.join(' '), command] as const))('%s --help exits 0 and prints its usage on stdout', (_name, command) => {
    for (const flag of ['--help', '-h']) {
      const shown = run([...command, flag]);
      expect(shown.code, flag).toBe(0);
      expect(shown.stderr).toBe('');
      expect(shown.stdout).toMatch(new RegExp(`^Usage: gatewarden ${command.join(' ')} `));
    }
    // `help` is a command of each level: gatewarden help keys, gatewarden keys help init.
    expect(run([...command.slice(0, -1), 'help', ...command.slice(-1)]).stdout).toBe(run([...command, '--help']).stdout);
  });

  it('prints the top-level help for -h, --help and no arguments, and the package version for --version', () => {
    const help = run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: gatewarden /);
    expect(run(['-h']).stdout).toBe(help.stdout);
    expect(run([]).stdout).toBe(help.stdout);
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const shown = run(['--version']);
    expect([shown.code, shown.stdout]).toEqual([0, `${version}\n`]);
  });

  it('start --help prints help and opens no file named --help', () => {
    const empty = mkdtempSync(join(dir, 'start-help-'));
    const shown = run(['start', '--help'], empty);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('--new-database');
    expect(shown.stderr).toBe('');
    expect(readdirSync(empty)).toEqual([]);
  });

  it('keys <anything> --help shows the keys help', () => {
    const shown = run(['keys', 'frobnicate', '--help']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^Usage: gatewarden keys /);
  });
});

describe('wrong arguments: one line, exit 2, no stack trace', () => {
  it.each([
    [['strat'], "gatewarden: unknown command 'strat' (Did you mean start?)"],
    [['start', '--new-databse'], "gatewarden start: unknown option '--new-databse' (Did you mean --new-database?)"],
    [['keys', 'generate', '--kid'], "gatewarden keys generate: option '--kid <id>' argument missing"],
    [['keys', 'nope'], "gatewarden keys: unknown command 'nope'"],
    [['keys', 'issue', '--sub', 'x'], "gatewarden keys issue: required option '--key <file>' not specified"],
    [['keys', 'issue', '--key', 'k.json', '--sub', 'x', '--col', 'blue'], "gatewarden keys issue: option '--col <colour>' argument 'blue' is invalid"],
    [['trace'], "gatewarden trace: missing required argument 'config'"],
    [['trace', 'config/demo.yaml', '--kind', 'van'], "gatewarden trace: option '--kind <kind>' argument 'van' is invalid"],
    [['check-config'], "gatewarden check-config: missing required argument 'config'"],
    [['check-profile'], "gatewarden check-profile: missing required argument 'file'"],
    [['backup', 'config/demo.yaml'], "gatewarden backup: required option '--to <file>' not specified"],
    [['cmd'], "gatewarden cmd: missing required argument 'name'"],
    [['credentials', 'show', '--role'], "gatewarden credentials show: option '--role <role>' argument missing"],
    [['keys', 'generate', 'extra'], "gatewarden keys generate: too many arguments for 'generate'"],
  ])('%j', (args, message) => {
    const refused = run(args);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(message);
    expect(refused.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(refused.stderr).toMatch(/; see gatewarden[a-z -]* --help\n$/);
    expect(refused.stderr).not.toContain('    at ');
  });

  it('a command group without its subcommand shows the group help, exit 2', () => {
    const refused = run(['keys']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^Usage: gatewarden keys /);
  });

  it('an unreadable key file is a message, not a stack trace', () => {
    const refused = run(['keys', 'issue', '--key', join(dir, 'missing.json'), '--sub', 'x']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('missing.json');
    expect(refused.stderr).not.toContain('    at ');
  });
});

/** A YAML config whose mistakes sit on known lines. */
const FOUR_MISTAKES = `estate:
  id: test-estate
  name: Test Estate
gates:
  - id: main
    name: Main gate
    lanes:
      - id: in
        direction: inward
        devices: { scanner: in-scanner, thermometer: in-thermo, barrier: in-barier }
devices:
  - { id: in-scanner, role: scanner, driver: virtual }
  - { id: in-thermo, role: thermometer, driver: virtual }
  - id: in-barrier
    role: barrier
    driver: virtual
    drivr: virtual
policy:
  version: test-1
  feverTreshold: 37.3
mqtt: { broker: { type: embedded, host: 127.0.0.1, port: 0 } }
storage: { path: ${JSON.stringify(join(dir, 'four.db'))} }
secrets: { path: ${JSON.stringify(join(dir, 'secrets.json'))} }
`;

describe('gatewarden check-config reports every mistake in one run', () => {
  const four = join(dir, 'four.yaml');
  writeFileSync(four, FOUR_MISTAKES);

  it('4 mistakes (schema and cross-check) in one run, each with line:column, the device by id, and a did-you-mean', () => {
    const checked = run(['check-config', four]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toBe('');
    expect(checked.stderr.split('\n')).toEqual([
      `GW_CONFIG_INVALID: ${four} is invalid (4 errors)`,
      `  - ${four}:9:9: gates[0].lanes[0].direction: expected one of "in", "out", "both"`,
      `  - ${four}:10:65: gates[0].lanes[0].devices.barrier: expected the id of a device in devices, "in-barier" is not defined`,
      `  - ${four}:17:5: devices[2] (in-barrier).drivr: unknown key (did you mean "driver"?)`,
      `  - ${four}:20:3: policy.feverTreshold: unknown key (did you mean "feverThresholdC"?)`,
      '',
    ]);
    expect(checked.stderr).not.toContain('    at ');
  });

  it('two bad files are both reported, a good one between them still says ok, and the YAML error is shown whole', () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'estate:\n  id: test-estate\n  name: [Test Estate\ngates: []\n');
    const checked = run(['check-config', four, 'config/demo.yaml', broken]);
    expect(checked.code).toBe(1);
    expect(checked.stdout).toBe('config/demo.yaml: ok\n');
    expect(checked.stderr).toContain(`GW_CONFIG_INVALID: ${four} is invalid (4 errors)`);
    expect(checked.stderr).toContain(`GW_CONFIG_UNREADABLE: ${broken} is not valid YAML\n  - ${broken}:`);
    // The offending lines with the caret under the place, not cut after "line N, column M:".
    expect(checked.stderr).toMatch(/\n {6}name: \[Test Estate\n(?: {4}.*\n)* {4} *\^/);
    expect(checked.stderr).toContain('2 of 3 config files are invalid');
  });

  it('refuses an alias bomb with the coded YAML error, naming the file (found from outside: it was uncoded)', () => {
    const bomb = join(dir, 'bomb.yaml');
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i += 1) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${String.fromCharCode(96 + i)}`).join(', ')}]`);
    writeFileSync(bomb, `${levels.join('\n')}\n`);
    const checked = run(['check-config', bomb]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(`GW_CONFIG_UNREADABLE: ${bomb} is not valid YAML\n  - ${bomb}: Excessive alias count`);
  });

  it('refuses a card UID and a plate listed twice and two listeners on one port, naming both places, before anything opens', () => {
    const doubled = join(dir, 'doubled.yaml');
    // The demo, with one resident's card UID in lower case, its plate with a dash, and the API on the broker's port.
    const demo = readFileSync('config/demo.yaml', 'utf8');
    writeFileSync(
      doubled,
      demo
        .replace('    - { uid: 04B0000002,', '    - { uid: 04a1b2c3d4, subject: resident-0199, role: resident }\n    - { uid: 04B0000002,')
        .replace('    - { plate: 闽D 0101A, household: "1-101", role: resident }', '    - { plate: 闽D 0101A, household: "1-101", role: resident }\n    - { plate: 闽D-0101A, household: "1-102", role: resident }')
        .replace('  port: 8080\n', '  port: 1883\n'),
    );
    const checked = run(['check-config', doubled]);
    expect(checked.code, checked.stderr).toBe(1);
    expect(checked.stderr).toContain('roster.cards[5].uid: expected a unique card UID, "04A1B2C3D4" is also roster.cards[0]');
    expect(checked.stderr).toContain('roster.vehicles[1].plate: expected a unique plate, "闽D0101A" is also roster.vehicles[0]');
    expect(checked.stderr).toContain('http.port: expected a port no other listener uses, 1883 is also mqtt.broker.port');
  });

  it('a district receiver config says what it is and how to run it, before its list of unknown keys', () => {
    const checked = run(['check-config', 'config/district.yaml']);
    expect(checked.code).toBe(1);
    expect(checked.stderr.split('\n')[0]).toMatch(/^GW_CONFIG_INVALID: config\/district\.yaml is invalid \(\d+ errors\); it is a district receiver config .*`gatewarden district <config>`/);
  });

  it('start refuses the same file with the same located messages, before creating the database', () => {
    const started = run(['start', four]);
    expect(started.code).toBe(1);
    expect(started.stderr).toContain(`${four}:17:5: devices[2] (in-barrier).drivr: unknown key (did you mean "driver"?)`);
    expect(existsSync(join(dir, 'four.db'))).toBe(false);
  });
});

describe('gatewarden check-profile', () => {
  it('accepts every shipped profile', () => {
    const files = readdirSync('devices').filter((file) => file.endsWith('.yaml')).map((file) => join('devices', file));
    const checked = run(['check-profile', ...files]);
    expect(checked.stderr).toBe('');
    expect(checked.code).toBe(0);
    expect(checked.stdout.trim().split('\n')).toHaveLength(files.length);
    expect(checked.stdout).toContain('devices/thermo-ascii-push.yaml: ok (thermometer over serial-line)');
  });

  it('refuses a copy with a typo, a model not its file name, or simulator examples its patterns do not read; each file reported', () => {
    const shipped = readFileSync('devices/thermo-ascii-push.yaml', 'utf8');
    const typo = join(dir, 'thermo-typo.yaml');
    writeFileSync(typo, shipped.replace('model: thermo-ascii-push', 'model: thermo-typo').replace('  pollMs: 1000', '  polMs: 1000'));
    const renamed = join(dir, 'thermo-renamed.yaml');
    writeFileSync(renamed, shipped);
    const mute = join(dir, 'thermo-mute.yaml');
    writeFileSync(mute, shipped.replace('model: thermo-ascii-push', 'model: thermo-mute').replace('frame: "T={value}\\r\\n"', 'frame: "TEMP {value}"'));
    const checked = run(['check-profile', typo, renamed, mute]);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(`${typo}:10:3: timing.polMs: unknown key (did you mean "pollMs"?)`);
    expect(checked.stderr).toContain('model: expected "thermo-renamed" (the file name)');
    expect(checked.stderr).toContain('simulator.frame: expected framing.pattern to read {value} from "TEMP 36.5"');
    expect(checked.stderr).not.toContain('    at ');
  });
});

describeWithTools(['espeak-ng'], 'gatewarden render-clips', () => {
  it('renders every clip of the shipped catalogue to a WAV file', () => {
    const clips = join(dir, 'clips');
    const rendered = run(['render-clips', clips]);
    expect(rendered.stderr).toBe('');
    expect(rendered.code).toBe(0);
    const files = readdirSync(clips).sort();
    expect(rendered.stdout).toBe(`${files.length} clips rendered into ${clips}\n`);
    expect(files[0]).toBe('0001.wav');
    for (const file of files) expect(readFileSync(join(clips, file)).subarray(0, 4).toString('latin1'), file).toBe('RIFF');
    expect(statSync(join(clips, '0001.wav')).size).toBeGreaterThan(1000);
  }, 60_000);
});
