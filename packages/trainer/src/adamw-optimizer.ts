/**
 * AdamW over a list of parameter tensors, on the backend (ops.adamw per tensor, moments kept beside each one),
 * plus global gradient-norm clipping: g ← g·min(1, c/‖g‖) with ‖g‖ = √Σ g² over every gradient tensor.
 */
import type { Backend, DeviceTensor } from '@lorakit/kernels-cuda';

export interface AdamWSettings {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay?: number;
}

export interface OptimizedParameter {
  readonly name: string;
  readonly parameter: DeviceTensor;
  readonly gradient: DeviceTensor;
}

/** Host copies of the moments, by parameter name, for checkpoints. */
export interface AdamWState {
  step: number;
  firstMoments: Map<string, Float32Array>;
  secondMoments: Map<string, Float32Array>;
}

export class AdamWOptimizer implements Disposable {
  readonly #backend: Backend;
  readonly #parameters: readonly OptimizedParameter[];
  readonly #first: DeviceTensor[];
  readonly #second: DeviceTensor[];
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Optimizer steps taken so far (the bias correction uses step + 1 next). */
  step = 0;

  constructor(backend: Backend, parameters: readonly OptimizedParameter[], settings: AdamWSettings = {}) {
    this.#backend = backend;
    this.#parameters = parameters;
    this.#first = parameters.map((entry) => backend.zeros(entry.parameter.shape));
    this.#second = parameters.map((entry) => backend.zeros(entry.parameter.shape));
    this.beta1 = settings.beta1 ?? 0.9;
    this.beta2 = settings.beta2 ?? 0.999;
    this.eps = settings.eps ?? 1e-8;
    this.weightDecay = settings.weightDecay ?? 0;
  }

  /** The global L2 norm of the gradients (fp64 sum on the host side). */
  gradientNorm(): number {
    return Math.sqrt(this.#backend.sumOfSquares(this.#parameters.map((entry) => entry.gradient)));
  }

  /** Scales the gradients so their global norm is at most `maxNorm`; returns the norm before clipping. */
  clipGradients(maxNorm: number): number {
    const norm = this.gradientNorm();
    if (Number.isFinite(norm) && maxNorm > 0 && norm > maxNorm) {
      // PyTorch's clip_grad_norm_ adds 1e-6 to the norm; kept so the same settings give the same update.
      const factor = maxNorm / (norm + 1e-6);
      for (const entry of this.#parameters) this.#backend.scale(entry.gradient, factor);
    }
    return norm;
  }

  /** One AdamW update of every parameter with learning rate `lr`. */
  update(lr: number): void {
    this.step++;
    this.#parameters.forEach((entry, index) => {
      this.#backend.adamw({
        param: entry.parameter,
        grad: entry.gradient,
        m: this.#first[index] as DeviceTensor,
        v: this.#second[index] as DeviceTensor,
        step: this.step,
        lr,
        beta1: this.beta1,
        beta2: this.beta2,
        eps: this.eps,
        weightDecay: this.weightDecay,
      });
    });
  }

  exportState(): AdamWState {
    const firstMoments = new Map<string, Float32Array>();
    const secondMoments = new Map<string, Float32Array>();
    this.#parameters.forEach((entry, index) => {
      firstMoments.set(entry.name, this.#backend.toArray(this.#first[index] as DeviceTensor));
      secondMoments.set(entry.name, this.#backend.toArray(this.#second[index] as DeviceTensor));
    });
    return { step: this.step, firstMoments, secondMoments };
  }

  /** Restores moments saved by exportState (every parameter must be present, with the same size). */
  importState(state: AdamWState): void {
    this.step = state.step;
    this.#parameters.forEach((entry, index) => {
      const first = state.firstMoments.get(entry.name);
      const second = state.secondMoments.get(entry.name);
      if (
        !first ||
        !second ||
        first.length !== entry.parameter.size ||
        second.length !== entry.parameter.size
      ) {
        throw new Error(`optimizer state has no moments of size ${entry.parameter.size} for ${entry.name}`);
      }
      this.#backend.write(this.#first[index] as DeviceTensor, first);
      this.#backend.write(this.#second[index] as DeviceTensor, second);
    });
  }

  dispose(): void {
    for (const tensor of [...this.#first, ...this.#second]) tensor.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
