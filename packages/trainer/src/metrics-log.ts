/** metrics.jsonl: one JSON line per optimizer step, appended as the run goes (so a crash keeps what was done). */
import { appendFile, readFile, writeFile } from 'node:fs/promises';

export interface StepMetrics {
  step: number;
  epoch: number;
  loss: number;
  learning_rate: number;
  tokens_per_s: number;
  gradient_norm: number;
  /** Present on every line; null when the validation set was not evaluated at this step. */
  validation_loss: number | null;
}

export class MetricsLog {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  /** Starts the log; on resume keeps only the lines up to the checkpoint's step, so none appear twice. */
  async open(options: { keepThroughStep: number }): Promise<void> {
    let kept: string[] = [];
    if (options.keepThroughStep > 0) {
      const text = await readFile(this.path, 'utf8').catch(() => '');
      kept = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .filter((line) => (JSON.parse(line) as { step: number }).step <= options.keepThroughStep);
    }
    await writeFile(this.path, kept.map((line) => `${line}\n`).join(''));
  }

  async append(metrics: StepMetrics): Promise<void> {
    await appendFile(this.path, `${JSON.stringify(metrics)}\n`);
  }

  async read(): Promise<string> {
    return readFile(this.path, 'utf8');
  }
}
