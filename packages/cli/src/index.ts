/** @lorakit/cli — the `lorakit` command, also callable in-process (tests, other tools). */
export { runCli, EXIT_CODES } from './run-cli.js';
export type { CliStreams } from './run-cli.js';
export { createProgram } from './program.js';
export { inspectAdapter } from './commands/inspect.js';
export type { InspectReport } from './commands/inspect.js';
export { countParams, parseTargets } from './commands/params.js';
export type { ParamsReport } from './commands/params.js';
