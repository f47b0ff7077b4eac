/**
 * The data side of a run: read the train file (and the validation file, or split the train file with the seed),
 * encode everything once, and hand out micro-batches by global index. The order of epoch e is
 * seededPermutation(n, seed, e), so the batch at any index is a pure function of (seed, index): a resumed run
 * sees exactly the batches an uninterrupted one would.
 */
import { DatasetError } from './dataset-error.js';
import type { DatasetRecord } from './dataset-record.js';
import type { EncodedSequence } from './encode-example.js';
import type { ExampleTokenizer } from './example-tokenizer.js';
import { makeBatch } from './make-batch.js';
import type { TokenBatch } from './make-batch.js';
import { prepareSequences } from './prepare-sequences.js';
import { readDataset } from './read-dataset.js';
import { seededPermutation } from './seeded-permutation.js';
import { splitDataset } from './split-dataset.js';

export interface TrainingDataOptions {
  trainPath: string;
  validationPath?: string;
  tokenizer: ExampleTokenizer;
  maxLength: number;
  seed: number;
  batchSize: number;
  /** Used when there is no validation file (default 0.1; 0 trains on everything). */
  validationFraction?: number;
  overflow?: 'truncate' | 'error';
  packing?: boolean;
  trainOnPrompts?: boolean;
  onWarning?: (message: string) => void;
}

export class TrainingData {
  readonly train: readonly EncodedSequence[];
  readonly validation: readonly EncodedSequence[];
  readonly batchSize: number;
  readonly seed: number;
  readonly padTokenId: number;

  constructor(fields: {
    train: EncodedSequence[];
    validation: EncodedSequence[];
    batchSize: number;
    seed: number;
    padTokenId: number;
  }) {
    this.train = fields.train;
    this.validation = fields.validation;
    this.batchSize = fields.batchSize;
    this.seed = fields.seed;
    this.padTokenId = fields.padTokenId;
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.train.length / this.batchSize);
  }

  /** Micro-batch number `index` (0-based, counted over all epochs). */
  trainBatch(index: number): TokenBatch {
    const epoch = Math.floor(index / this.batchesPerEpoch);
    const within = index % this.batchesPerEpoch;
    const order = seededPermutation(this.train.length, this.seed, epoch + 1);
    const picked = order.slice(within * this.batchSize, (within + 1) * this.batchSize);
    return makeBatch(
      picked.map((position) => this.train[position] as EncodedSequence),
      this.padTokenId,
    );
  }

  /** The validation set in file order, in batches. */
  validationBatches(): TokenBatch[] {
    const batches: TokenBatch[] = [];
    for (let start = 0; start < this.validation.length; start += this.batchSize) {
      batches.push(makeBatch(this.validation.slice(start, start + this.batchSize), this.padTokenId));
    }
    return batches;
  }

  static async load(options: TrainingDataOptions): Promise<TrainingData> {
    const trainFile = await readDataset({ path: options.trainPath });
    let trainRecords: DatasetRecord[] = trainFile.records;
    let validationRecords: DatasetRecord[] = [];
    let validationName = options.trainPath;
    if (options.validationPath !== undefined) {
      validationRecords = (await readDataset({ path: options.validationPath })).records;
      validationName = options.validationPath;
    } else if ((options.validationFraction ?? 0.1) > 0 && trainRecords.length >= 2) {
      const split = splitDataset(trainRecords, {
        validation: options.validationFraction ?? 0.1,
        seed: options.seed,
      });
      trainRecords = split.train;
      validationRecords = split.validation;
    }
    const prepare = (records: DatasetRecord[], file: string, lines?: number[]): EncodedSequence[] =>
      prepareSequences(records, {
        tokenizer: options.tokenizer,
        maxLength: options.maxLength,
        file,
        ...(lines ? { lines } : {}),
        ...(options.overflow ? { overflow: options.overflow } : {}),
        ...(options.packing ? { packing: options.packing } : {}),
        ...(options.trainOnPrompts ? { trainOnPrompts: options.trainOnPrompts } : {}),
        ...(options.onWarning ? { onWarning: options.onWarning } : {}),
      });
    // Line numbers are exact only while records are in file order (no split).
    const train = prepare(
      trainRecords,
      options.trainPath,
      options.validationPath !== undefined || validationRecords.length === 0 ? trainFile.lines : undefined,
    );
    if (train.length === 0) {
      throw new DatasetError(
        'INVALID_ARGUMENT',
        options.trainPath,
        0,
        'no example has a token to train on',
        'check that completions / assistant turns are not empty',
      );
    }
    const validation = validationRecords.length > 0 ? prepare(validationRecords, validationName) : [];
    const tokenizer = options.tokenizer;
    return new TrainingData({
      train,
      validation,
      batchSize: options.batchSize,
      seed: options.seed,
      padTokenId: tokenizer.padTokenId ?? tokenizer.eosTokenId ?? 0,
    });
  }
}
