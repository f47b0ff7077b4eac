/** One scored item of a run, as saved one per line in a records JSONL file. */
export interface EvalRecord {
  /** The item's id in the test file (its `id` field, else "line-N"). */
  id: string;
  /** sha256 (hex) of the rendered prompt text: two runs pair only on the same prompts. */
  prompt_hash: string;
  output: string;
  reference: string;
  score: number;
  /** The metric's name, so that `eval compare` knows whether McNemar applies. */
  metric?: string;
}
