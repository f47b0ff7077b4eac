/**
 * @lorakit/core — the contract every lorakit package shares: LoraConfig (PEFT's adapter_config.json), safetensors,
 * adapters, architectures and the model catalog, target-module resolution and plugins, reference LoRA math,
 * parameter counts and typed errors. Browser-safe: file-system helpers live in `@lorakit/core/node`.
 */
export {
  ERROR_CODES,
  LorakitError,
  FormatError,
  ConfigError,
  ShapeError,
  TargetError,
  ArchitectureError,
  FileError,
  MathError,
  BackendError,
  isLorakitError,
} from './errors.js';
export type { ErrorCode, LorakitErrorOptions } from './errors.js';

export {
  DTYPES,
  isDType,
  dtypeBytes,
  f16ToNumber,
  numberToF16,
  bf16ToNumber,
  numberToBf16,
} from './dtype.js';
export type { DType, FloatDType } from './dtype.js';
export { createTensor, elementCount, formatShape, fromFloat32, sameShape, toFloat32 } from './tensor.js';
export type { Tensor } from './tensor.js';
export { nearestNames, editDistance } from './nearest-names.js';

export {
  parseSafetensors,
  parseSafetensorsHeader,
  safetensorsHeaderSize,
  serializeSafetensors,
  layoutSafetensors,
  SAFETENSORS_MAX_HEADER_BYTES,
} from './safetensors.js';
export type {
  SafetensorsEntry,
  SafetensorsFile,
  SafetensorsHeader,
  SafetensorsLayout,
  SafetensorsParseOptions,
} from './safetensors.js';

export {
  PEFT_LORA_DEFAULTS,
  parseLoraConfig,
  parseLoraConfigText,
  serializeLoraConfig,
  createLoraConfig,
  loraScale,
} from './lora-config.js';
export type {
  LoraConfig,
  ParseLoraConfigOptions,
  SerializeLoraConfigOptions,
  CreateLoraConfigSettings,
  LoraScaleOptions,
} from './lora-config.js';
export { RANK_PRESETS, TARGET_PRESET_MODULES, GUIDE_DEFAULTS, rankForUse } from './presets.js';
export type { RankPreset, RankPresetName, TargetPresetName } from './presets.js';

export { parseModelConfig } from './model-config.js';
export type { ModelConfig, ModelConfigKey, ParseModelConfigOptions } from './model-config.js';
export { ARCHITECTURES, resolveArchitecture, listModelModules } from './architectures.js';
export type {
  ArchitectureName,
  ArchitectureSpec,
  ResolvedArchitecture,
  ResolveArchitectureOptions,
  ModelDimensions,
  LayerModuleSpec,
  ParameterTensor,
} from './architectures.js';
export { MODEL_CATALOG, getCatalogModel } from './model-catalog.js';
export type { CatalogEntry, CatalogModelName } from './model-catalog.js';
export { countModelParameters, countLoraParameters, listParameterTensors } from './count-parameters.js';
export type { ModelModule } from './model-module.js';

export { resolveTargets, findPatternValue } from './resolve-targets.js';
export type { TargetConfig, ResolvedModule, ResolveTargetsOptions } from './resolve-targets.js';
export { defineTargetPlugin, matchesFilter } from './target-plugin.js';
export type {
  TargetPlugin,
  TargetFilter,
  TargetFilterContext,
  TargetPluginContext,
  TargetModuleOverride,
} from './target-plugin.js';
export {
  registerTargetPlugin,
  unregisterTargetPlugin,
  getTargetPlugin,
  listTargetPlugins,
} from './target-plugin-registry.js';
export { TARGET_PRESETS } from './target-presets.js';

export { adapterFromTensors, adapterToTensors, PEFT_KEY_PREFIX } from './adapter.js';
export type { Adapter, AdapterModule, AdapterFromTensorsOptions } from './adapter.js';

export { loraDelta } from './lora-delta.js';
export type { LoraFactors } from './lora-delta.js';
export { mergeLora, unmergeLora, safeMergeLora } from './merge-lora.js';
export { mergeDora, unmergeDora } from './merge-dora.js';
export type { DoraFactors } from './merge-dora.js';
export { mergeAdapter } from './merge-adapter.js';
export type { MergeAdapterOptions, MergeAdapterResult } from './merge-adapter.js';
export { combineLora } from './combine-adapters.js';
export type { WeightedLora, CombineMethod, CombineOptions, CombinedLora } from './combine-adapters.js';
export { truncatedSvd } from './svd.js';
export type { SvdResult } from './svd.js';
export { truncatedSvdOfProduct } from './product-svd.js';
export type { ProductSvdInput } from './product-svd.js';
