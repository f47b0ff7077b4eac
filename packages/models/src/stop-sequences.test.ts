import { describe, expect, it } from 'vitest';
import { StopSequenceMatcher } from './stop-sequences.js';

function run(stops: string[], pieces: string[]): { out: string[]; stopped: boolean } {
  const matcher = new StopSequenceMatcher(stops);
  const out: string[] = [];
  for (const piece of pieces) {
    const result = matcher.push(piece);
    out.push(result.text);
    if (result.stopped) return { out, stopped: true };
  }
  out.push(matcher.flush());
  return { out, stopped: false };
}

describe('stop sequences', () => {
  it('finds a stop string spread over pieces and drops it and what follows', () => {
    const { out, stopped } = run(['END'], ['Hello E', 'N', 'D and more']);
    expect(stopped).toBe(true);
    expect(out).toEqual(['Hello ', '', '']);
    expect(out.join('')).toBe('Hello ');
  });

  it('releases held-back text once it cannot start a stop string', () => {
    const { out, stopped } = run(['\n\n'], ['a\n', 'b', '\n']);
    expect(stopped).toBe(false);
    expect(out).toEqual(['a', '\nb', '', '\n']);
  });

  it('cuts at the earliest of several stop strings, inside one piece too', () => {
    expect(run(['bc', 'x'], ['axbc']).out.join('')).toBe('a');
    expect(run(['###', 'User:'], ['answer', ' Us', 'er: hi']).out.join('')).toBe('answer ');
    expect(run(['aab'], ['a', 'a', 'a', 'b']).out.join('')).toBe('a');
  });

  it('with no stop strings passes everything through at once', () => {
    expect(run([], ['a', 'b']).out).toEqual(['a', 'b', '']);
  });

  it('rejects empty stop strings', () => {
    expect(() => new StopSequenceMatcher([''])).toThrow(/non-empty strings/);
  });
});
