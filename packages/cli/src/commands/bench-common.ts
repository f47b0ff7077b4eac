/** What `lorakit bench …` reports share: the machine they ran on, the repository root (for .venv-peers), rounding. */
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export function benchMachine(): Record<string, unknown> {
  const cpu = cpus()[0];
  return {
    cpu: cpu?.model ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function roundRatio(value: number): number {
  return Math.round(value * 1000) / 1000;
}
