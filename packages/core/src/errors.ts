/**
 * The one error hierarchy of lorakit. Every error has a stable `code` (part of the public contract: tools may
 * switch on it) and a message that names the file, key, tensor or module concerned and, where there is one,
 * the fix. Callers that show errors to people print `message` alone: it is written to stand on one line.
 */

/** Stable error codes, with what each one means. Add a code here before throwing it. */
export const ERROR_CODES = {
  FILE_NOT_FOUND: 'a file or folder that was asked for does not exist',
  FILE_UNREADABLE: 'a file exists but cannot be read',
  SAFETENSORS_INVALID: 'a safetensors file is malformed (header, offsets, dtype or sizes)',
  JSON_INVALID: 'a JSON file does not parse',
  CONFIG_INVALID: 'a configuration has a wrong type or an impossible value',
  ARCHITECTURE_UNSUPPORTED: 'a model_type that lorakit has no architecture entry for',
  TARGET_NO_MATCH: 'a target-module entry matches no module of the model',
  TARGET_INVALID: 'a target-module setting cannot be used (bad regex, unknown preset or plugin)',
  SHAPE_MISMATCH: 'tensor shapes disagree with each other, with the config or with the base model',
  ADAPTER_INVALID: 'an adapter folder is incomplete or inconsistent',
  CATALOG_UNKNOWN: 'a model name that is not in the catalog',
  NON_FINITE: 'a computation met NaN or Inf where finite numbers are required',
  INVALID_ARGUMENT: 'an argument is out of its allowed range',
  PLUGIN_INVALID: 'a target-module plugin is malformed or registered twice',
  BACKEND_UNAVAILABLE: 'a compute backend that was asked for cannot be used on this machine',
  BACKEND_MISMATCH: 'a tensor was passed to a backend other than the one that owns it',
  TENSOR_DISPOSED: 'a tensor was used after dispose()',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface LorakitErrorOptions {
  /** What to do about it, appended to the message after "; ". */
  fix?: string;
  /** The underlying error, if any. */
  cause?: unknown;
}

/** Base class of every error lorakit throws on purpose. */
export class LorakitError extends Error {
  readonly code: ErrorCode;
  readonly fix: string | undefined;

  constructor(code: ErrorCode, message: string, options: LorakitErrorOptions = {}) {
    super(options.fix ? `${message}; ${options.fix}` : message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.fix = options.fix;
  }
}

/** A file's bytes are not what its format says they must be (safetensors, JSON). */
export class FormatError extends LorakitError {}

/** A configuration (adapter_config.json, config.json, options) has a wrong type or value. */
export class ConfigError extends LorakitError {}

/** Shapes disagree: tensors against each other, the config, or the base model. */
export class ShapeError extends LorakitError {}

/** Target-module resolution failed. */
export class TargetError extends LorakitError {}

/** A model_type or catalog name is not known. */
export class ArchitectureError extends LorakitError {}

/** A file or folder is missing or unreadable. */
export class FileError extends LorakitError {}

/** A compute backend cannot run, or a tensor does not belong to it or was disposed. */
export class BackendError extends LorakitError {}

/** A numeric operation met NaN/Inf or an argument outside its range. */
export class MathError extends LorakitError {}

export function isLorakitError(value: unknown): value is LorakitError {
  return value instanceof LorakitError;
}
