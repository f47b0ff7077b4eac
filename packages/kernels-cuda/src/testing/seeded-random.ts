/**
 * A small seeded generator (mulberry32) so every test draws the same numbers on every run and machine.
 * Normal draws use Box–Muller.
 */
export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  normal(mean = 0, deviation = 1): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + deviation * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** `size` uniform values in [low, high), as f32. */
  floats(size: number, low = -1, high = 1): Float32Array {
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = this.uniform(low, high);
    return values;
  }

  /** `size` integers uniform in [low, high). */
  integers(size: number, low: number, high: number): Int32Array {
    const values = new Int32Array(size);
    for (let i = 0; i < size; i++) values[i] = low + Math.floor(this.next() * (high - low));
    return values;
  }
}
