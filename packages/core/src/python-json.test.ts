import { describe, expect, it } from 'vitest';
import { ConfigError } from './errors.js';
import { pythonJson } from './python-json.js';

// Expected strings are what CPython 3 prints for json.dumps(value, indent=2, sort_keys=True).
describe('pythonJson', () => {
  it('sorts keys at every depth and indents by two', () => {
    expect(pythonJson({ b: [1, { d: null, c: true }], a: {}, e: [] })).toBe(
      '{\n  "a": {},\n  "b": [\n    1,\n    {\n      "c": true,\n      "d": null\n    }\n  ],\n  "e": []\n}',
    );
  });

  it('escapes like ensure_ascii', () => {
    expect(pythonJson('é\u{1F600}"\\\n\u0001\u007f~')).toBe(
      '"\\u00e9\\ud83d\\ude00\\"\\\\\\n\\u0001\\u007f~"',
    );
  });

  it('sorts keys by code point, as Python does', () => {
    expect(pythonJson({ '\u{10000}': 1, '\uff00': 2 })).toBe('{\n  "\\uff00": 2,\n  "\\ud800\\udc00": 1\n}');
  });

  it("writes numbers as Python's repr", () => {
    expect(pythonJson([0.05, 5e-5, 0.0001, 1e-7, 123.5, 16, -2.5e-10])).toBe(
      '[\n  0.05,\n  5e-05,\n  0.0001,\n  1e-07,\n  123.5,\n  16,\n  -2.5e-10\n]',
    );
    expect(pythonJson({ p: 0, q: 0 }, { floatKeys: new Set(['p']) })).toBe('{\n  "p": 0.0,\n  "q": 0\n}');
    expect(pythonJson(-0)).toBe('-0.0');
    expect(pythonJson({ p: 1e16 }, { floatKeys: new Set(['p']) })).toBe('{\n  "p": 1e+16\n}');
  });

  it('omits undefined properties and rejects what JSON cannot hold, naming the key', () => {
    expect(pythonJson({ a: undefined, b: 1 })).toBe('{\n  "b": 1\n}');
    expect(() => pythonJson({ a: { b: Number.NaN } }, { source: 'x.json' })).toThrow(
      'x.json: key "a.b" holds the number NaN, which JSON cannot store',
    );
    expect(() => pythonJson({ a: [1n] })).toThrow(ConfigError);
    expect(() => pythonJson({ when: new Date(0) })).toThrow('key "when" holds a Date object');
    const loop: Record<string, unknown> = {};
    loop['self'] = loop;
    expect(() => pythonJson(loop)).toThrow('holds a reference to itself');
  });
});
