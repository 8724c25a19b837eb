#!/usr/bin/env node
/**
 * The `vesalius` command. Each subcommand lives in its own file and only parses options, calls the
 * library and prints; user errors become one line on stderr and a non-zero exit.
 */
import { Command, CommanderError } from 'commander';
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { OptionError, VesaliusError } from '../util/errors.js';
import { subcommands } from './subcommands.js';

export function buildProgram(): Command {
  const program = new Command('vesalius')
    .description('Deep learning on medical images: read, train, predict, evaluate')
    .usage('<command> [options]')
    .showHelpAfterError(false)
    .exitOverride();
  for (const register of subcommands) register(program);
  program.argument('[command]').action((name: string | undefined) => {
    if (name === undefined) return program.help();
    throw new OptionError(name, 'unknown command (see vesalius --help)');
  });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander already printed its one-line message (or the help text).
      return err.exitCode;
    }
    if (err instanceof VesaliusError) {
      process.stderr.write(`vesalius: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return 1;
    }
    throw err;
  }
}

function isEntryPoint(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `vesalius: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = 70;
    },
  );
}
