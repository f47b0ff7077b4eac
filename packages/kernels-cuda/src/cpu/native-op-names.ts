/** Which ops of the Ops interface the loaded addon runs natively, and which fall back to the reference ops. */
import type { NativeModule } from '../native/native-module.js';
import type { Ops } from '../ops.js';

/** Every op of the Ops interface; the addon exports each under the same name. */
export const OP_NAMES = [
  'matmul',
  'loraLinearForward',
  'loraLinearBackward',
  'loraMultiForward',
  'loraSegmentedForward',
  'embedding',
  'embeddingBackward',
  'rmsNorm',
  'rmsNormBackward',
  'rope',
  'attention',
  'attentionBackward',
  'decodeAttention',
  'writeKvCache',
  'siluMul',
  'siluMulBackward',
  'crossEntropy',
  'adamw',
  'sumOfSquares',
  'scale',
  'add',
  'merge',
  'cast',
] as const satisfies readonly (keyof Ops)[];

// Fails to compile when an op is added to Ops but not listed above.
type UnlistedOps = Exclude<keyof Ops, (typeof OP_NAMES)[number]>;
const everyOpListed: [UnlistedOps] extends [never] ? true : never = true;
void everyOpListed;

/** Whether the loaded addon exports `name` (an addon built from older sources may lack newer ops). */
export function hasNativeFunction(native: NativeModule, name: string): boolean {
  return typeof (native as unknown as Record<string, unknown>)[name] === 'function';
}

export function nativeOpNames(native: NativeModule): { native: (keyof Ops)[]; reference: (keyof Ops)[] } {
  const present = OP_NAMES.filter((name) => hasNativeFunction(native, name));
  return { native: present, reference: OP_NAMES.filter((name) => !present.includes(name)) };
}
