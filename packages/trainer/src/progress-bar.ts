/** The terminal progress bar (cli-progress) on stderr; nothing at all when stderr is not a terminal. */
import cliProgress from 'cli-progress';

export interface ProgressReporter {
  update(step: number, values: { loss: number; learningRate: number }): void;
  stop(): void;
}

const SILENT: ProgressReporter = { update: () => undefined, stop: () => undefined };

export function createProgressBar(
  totalSteps: number,
  startStep: number,
  enabled = process.stderr.isTTY === true,
): ProgressReporter {
  if (!enabled) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'train [{bar}] {value}/{total} steps | loss {loss} | lr {lr} | eta {eta_formatted}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(totalSteps, startStep, { loss: '-', lr: '-' });
  return {
    update: (step, values) =>
      bar.update(step, { loss: values.loss.toFixed(4), lr: values.learningRate.toExponential(2) }),
    stop: () => bar.stop(),
  };
}
