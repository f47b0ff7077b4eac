import type { CliStreams } from './run-cli.js';

/** Prints exactly one JSON document on stdout (CLI.md: logs go to stderr). */
export function printJson(streams: CliStreams, value: unknown): void {
  streams.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
