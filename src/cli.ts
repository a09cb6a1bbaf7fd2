#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --optimize-for-size
// Both chosen from measured runs of the 16-lane rig at 200 passages/s (issue 14, docs/BENCHMARKS.md "Gateway
// memory"): --optimize-for-size keeps V8's young generation and heap growth small (idle RSS 181 -> 150 MB), and
// one malloc arena for all threads instead of one per thread saves another 35 MB (two arenas saved 20; the writer
// thread's arena then held 10-20 MB more), with the same decision latency. The benches read this line
// (scripts/bench/gateway-launch.ts); the Dockerfile repeats it.
import { readFileSync } from 'node:fs';
import { CommanderError, type Command } from 'commander';
import { describeError } from './cli/describe-error.js';
import { processIo } from './cli/io.js';
import { buildProgram } from './cli/program.js';
import { UsageError } from './cli/usage-error.js';

/** Exit codes: 0 done, 1 the command failed (a refused config, a file that exists, …), 2 the call itself was wrong. */
const EXIT = { failed: 1, usage: 2 } as const;

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * A usage error in one line, naming the command and where its help is,
 * thrown (exitOverride) so main() chooses the exit code:
 * commander's own message ("error: option '--kid <id>' argument missing",
 * with its "Did you mean …?"), never a stack trace.
 */
function configureErrors(command: Command): void {
  const path = commandPath(command);
  command.exitOverride();
  command.configureOutput({
    outputError: (message, write) => write(`${path}: ${message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ').trim().replace(/\.$/, '')}; see ${path} --help\n`),
  });
  command.commands.forEach(configureErrors);
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names.join(' ');
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram(version, processIo);
  configureErrors(program);
  if (argv.length === 0) {
    program.outputHelp();
    return;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Help and --version end here with exit code 0; a missing subcommand shows the help as an error.
    process.exitCode = error.exitCode === 0 ? 0 : EXIT.usage;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(EXIT.usage);
  }
  process.stderr.write(`${describeError(error)}\n`);
  process.exit(EXIT.failed);
});
