/** Runs the CLI in-process and captures what it prints, for tests. */
import { runCli } from '../run-cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON (throws when stdout is not exactly one JSON document). */
  json: <T = Record<string, unknown>>() => T;
}

export async function captureCli(argv: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}
