/**
 * Runs the `lorakit` command and turns every failure into one line on stderr and an exit code (CLI.md):
 * 0 success, 1 bad input (a LorakitError: the message names the file/key/module and the fix), 2 bad usage
 * (unknown verb or option), 70 an internal error. Stack traces only with --debug.
 */
import { CommanderError } from 'commander';
import { isLorakitError } from '@lorakit/core';
import { createProgram } from './program.js';

export const EXIT_CODES = { ok: 0, badInput: 1, usage: 2, internal: 70 } as const;

export interface CliStreams {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processStreams: CliStreams = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

export async function runCli(argv: readonly string[], streams: CliStreams = processStreams): Promise<number> {
  const debug = argv.includes('--debug');
  const program = createProgram(streams);
  try {
    await program.parseAsync([...argv.filter((argument) => argument !== '--debug')], { from: 'user' });
    return EXIT_CODES.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version are "errors" to commander that exit 0
      return error.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    if (isLorakitError(error)) {
      streams.stderr(`lorakit: ${error.message}\n`);
      if (debug && error.stack) streams.stderr(`${error.stack}\n`);
      return EXIT_CODES.badInput;
    }
    const message = error instanceof Error ? error.message : String(error);
    streams.stderr(`lorakit: internal error: ${message} (rerun with --debug for details and report it)\n`);
    if (debug && error instanceof Error && error.stack) streams.stderr(`${error.stack}\n`);
    return EXIT_CODES.internal;
  }
}
