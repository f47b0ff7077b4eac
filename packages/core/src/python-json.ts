/**
 * JSON text written the way Python's `json.dumps(value, indent=2, sort_keys=True)` writes it, so files lorakit
 * writes for PEFT/transformers are byte-for-byte what Python would have written: keys sorted by code point at every
 * depth, non-ASCII escaped as \uXXXX (ensure_ascii), and non-integer numbers in Python's float repr
 * (`1e-05`, not `0.00001`). JavaScript has one number type, so keys listed in `floatKeys` are written as floats
 * even when integral (`0.0`), as Python writes a float field.
 */
import { ConfigError } from './errors.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface PythonJsonOptions {
  /** Names the value in error messages (a file name). */
  source?: string;
  /** Top-level keys whose numbers Python holds as floats: integral values are written with ".0". */
  floatKeys?: ReadonlySet<string>;
}

/** `value` as Python's json.dumps(indent=2, sort_keys=True) writes it (no trailing newline). */
export function pythonJson(value: unknown, options: PythonJsonOptions = {}): string {
  const source = options.source ?? 'value';
  const floatKeys = options.floatKeys ?? new Set<string>();
  const open = new Set<object>();

  const write = (item: unknown, path: string, indent: string, asFloat: boolean): string => {
    if (item === null) return 'null';
    if (typeof item === 'boolean') return item ? 'true' : 'false';
    if (typeof item === 'string') return pythonString(item);
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) throw unwritable(source, path, `the number ${String(item)}`);
      if (Object.is(item, -0)) return '-0.0'; // only a float can be negative zero, in Python as in JSON.parse
      return asFloat || !Number.isInteger(item) || Math.abs(item) >= 1e21 ? pythonFloat(item) : String(item);
    }
    if (item === undefined) throw unwritable(source, path, 'undefined');
    if (typeof item !== 'object') throw unwritable(source, path, `a ${typeof item}`);
    const prototype: unknown = Object.getPrototypeOf(item);
    if (!Array.isArray(item) && prototype !== Object.prototype && prototype !== null) {
      throw unwritable(source, path, `a ${item.constructor?.name ?? 'non-plain'} object`);
    }
    if (open.has(item)) throw unwritable(source, path, 'a reference to itself');
    open.add(item);
    const inner = `${indent}  `;
    let text: string;
    if (Array.isArray(item)) {
      const parts = item.map((element, index) => inner + write(element, `${path}[${index}]`, inner, false));
      text = parts.length === 0 ? '[]' : `[\n${parts.join(',\n')}\n${indent}]`;
    } else {
      const keys = Object.keys(item).filter((key) => (item as Record<string, unknown>)[key] !== undefined);
      keys.sort(compareCodePoints);
      const parts = keys.map((key) => {
        const child = (item as Record<string, unknown>)[key];
        const childFloat = path === '' && floatKeys.has(key);
        return `${inner}${pythonString(key)}: ${write(child, path === '' ? key : `${path}.${key}`, inner, childFloat)}`;
      });
      text = parts.length === 0 ? '{}' : `{\n${parts.join(',\n')}\n${indent}}`;
    }
    open.delete(item);
    return text;
  };
  return write(value, '', '', false);
}

function unwritable(source: string, path: string, what: string): ConfigError {
  return new ConfigError(
    'CONFIG_INVALID',
    `${source}: key "${path}" holds ${what}, which JSON cannot store`,
    {
      fix: 'give it a JSON value (null, boolean, finite number, string, array or plain object)',
    },
  );
}

/** Python sorts str keys by code point; JavaScript's default sort uses UTF-16 units, which differ above U+FFFF. */
function compareCodePoints(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const difference = (left[index]?.codePointAt(0) ?? 0) - (right[index]?.codePointAt(0) ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A JSON string with ensure_ascii: every UTF-16 unit outside printable ASCII becomes \uXXXX (lower-case hex). */
function pythonString(text: string): string {
  let out = '"';
  for (let index = 0; index < text.length; index++) {
    const unit = text.charCodeAt(index);
    const character = text[index] ?? '';
    const short = SHORT_ESCAPES[character];
    if (short !== undefined) out += short;
    else if (unit < 0x20 || unit > 0x7e) out += `\\u${unit.toString(16).padStart(4, '0')}`;
    else out += character;
  }
  return `${out}"`;
}

/** Python's float repr: shortest round-trip digits, scientific notation when the exponent is < -4 or ≥ 16. */
function pythonFloat(value: number): string {
  const [mantissa = '0', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  const text = String(value);
  return Number.isInteger(value) ? `${text}.0` : text;
}
