/**
 * Elementwise closeness with the project's tolerance rule |expected − actual| ≤ atol + rtol·|expected|. A
 * failure names the label, how many elements fail, the worst one (index, both values, its error and bound)
 * and the largest absolute error, so a broken kernel is located from the message alone.
 */

export interface Tolerance {
  atol: number;
  rtol: number;
}

export interface ExpectCloseOptions extends Tolerance {
  /** What is compared, e.g. "matmul out on cpu". */
  label?: string;
  /** Shape of the arrays, to print multi-dimensional indices. */
  shape?: readonly number[];
}

function formatIndex(index: number, shape: readonly number[] | undefined): string {
  if (!shape || shape.length === 0) return `[${index}]`;
  const coordinates: number[] = [];
  let rest = index;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const size = shape[axis] as number;
    coordinates.unshift(rest % size);
    rest = Math.floor(rest / size);
  }
  return `[${coordinates.join(', ')}]`;
}

export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  options: ExpectCloseOptions,
): void {
  const label = options.label ?? 'values';
  if (actual.length !== expected.length) {
    throw new Error(`${label}: ${actual.length} values, expected ${expected.length}`);
  }
  let failures = 0;
  let worstIndex = -1;
  let worstRatio = 0;
  let maximumError = 0;
  let maximumErrorIndex = 0;
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i] as number;
    const got = actual[i] as number;
    const error = Math.abs(want - got);
    const bound = options.atol + options.rtol * Math.abs(want);
    // NaN in either array fails (unless both are the same non-finite value).
    const close = Object.is(want, got) || error <= bound;
    if (!close) {
      failures++;
      const ratio = Number.isNaN(error) ? Infinity : error / bound;
      if (worstIndex < 0 || ratio > worstRatio) {
        worstRatio = ratio;
        worstIndex = i;
      }
    }
    if (!(error <= maximumError)) {
      maximumError = error;
      maximumErrorIndex = i;
    }
  }
  if (failures > 0) {
    const want = expected[worstIndex] as number;
    const got = actual[worstIndex] as number;
    throw new Error(
      `${label}: ${failures} of ${expected.length} values differ beyond atol ${options.atol} + rtol ${options.rtol}·|expected|; ` +
        `worst at ${formatIndex(worstIndex, options.shape)}: got ${got}, expected ${want} (error ${Math.abs(want - got).toExponential(3)}, ` +
        `allowed ${(options.atol + options.rtol * Math.abs(want)).toExponential(3)}); ` +
        `max abs error ${maximumError.toExponential(3)} at ${formatIndex(maximumErrorIndex, options.shape)}`,
    );
  }
}
