/**
 * Stop strings over streamed text. A stop string may span tokens ("\n\n" from "\n" + "\n"), so text that could be
 * the start of a stop string is held back until it is either completed (generation stops, and the stop string
 * and whatever followed it are dropped) or ruled out (the text is released). The held-back part is the longest
 * suffix of the pending text that is a prefix of some stop string.
 */
import { LorakitError } from '@lorakit/core';

export interface StopSequenceResult {
  /** Text that is safe to hand out now. */
  text: string;
  /** True once a stop string has been seen; later pushes are ignored. */
  stopped: boolean;
}

export class StopSequenceMatcher {
  readonly #stops: readonly string[];
  #pending = '';
  #stopped = false;

  constructor(stops: readonly string[]) {
    for (const stop of stops) {
      if (typeof stop !== 'string' || stop.length === 0)
        throw new LorakitError(
          'INVALID_ARGUMENT',
          `stop sequences must be non-empty strings, got ${JSON.stringify(stop)}`,
        );
    }
    this.#stops = [...stops];
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  push(piece: string): StopSequenceResult {
    if (this.#stopped) return { text: '', stopped: true };
    this.#pending += piece;
    // The earliest occurrence of any stop string ends the text.
    let cut = -1;
    for (const stop of this.#stops) {
      const at = this.#pending.indexOf(stop);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      const text = this.#pending.slice(0, cut);
      this.#pending = '';
      this.#stopped = true;
      return { text, stopped: true };
    }
    const hold = this.#heldBackLength();
    const text = this.#pending.slice(0, this.#pending.length - hold);
    this.#pending = this.#pending.slice(this.#pending.length - hold);
    return { text, stopped: false };
  }

  /** End of generation without a stop: the held-back text was not a stop string after all. */
  flush(): string {
    const text = this.#stopped ? '' : this.#pending;
    this.#pending = '';
    return text;
  }

  #heldBackLength(): number {
    let longest = 0;
    for (const stop of this.#stops) {
      const limit = Math.min(stop.length - 1, this.#pending.length);
      for (let length = limit; length > longest; length--) {
        if (this.#pending.endsWith(stop.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
