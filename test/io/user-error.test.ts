import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bound, InputError, MAX_MESSAGE, quote, userMessage } from '../../src/io/user-error';

const caught = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
};

describe('user-facing messages', () => {
  it('bounds long text and says how much was cut', () => {
    const m = bound('x'.repeat(5_000_000));
    expect(m.length).toBe(MAX_MESSAGE);
    expect(m).toMatch(/… \(4999\d{3} more characters\)$/);
    expect(bound('short')).toBe('short');
  });

  it('quotes input values short, never whole', () => {
    expect(quote('abc')).toBe('"abc"');
    const q = quote('a'.repeat(5_000_000));
    expect(q.length).toBeLessThan(80);
    expect(q).toContain('(5000000 characters)');
    expect(quote(null)).toBe('null');
    expect(quote([1, 2, 3])).toBe('a list of 3');
    expect(quote({ a: 1 })).toBe('an object');
  });

  it('InputError messages are bounded', () => {
    expect(new InputError(`f.json: ${'y'.repeat(10_000)}`).message.length).toBeLessThanOrEqual(MAX_MESSAGE);
  });

  it("maps Node's file errors to the path and words, never the raw code", () => {
    const m = userMessage(caught(() => readFileSync('/no/such/dir/file.json')));
    expect(m).toBe('/no/such/dir/file.json: no such file or folder');
    // EISDIR carries no path: the caller's context names it.
    const d = userMessage(caught(() => readFileSync('/tmp')), '/tmp');
    expect(d).toBe('/tmp: is a folder, not a file');
  });

  it('a stack overflow reads as input nested too deeply, with the context', () => {
    const deep = (n: number): number => (n === 0 ? 0 : 1 + deep(n - 1));
    expect(userMessage(caught(() => deep(1e7)), 'tasks.json')).toBe('tasks.json: the input is nested too deeply to read');
  });

  it("a runtime TypeError is called a bug without the runtime's class name", () => {
    const m = userMessage(caught(() => (null as unknown as { a: number }).a));
    expect(m).toMatch(/^unexpected failure \(a bug in TRM Lab, please report it\): /);
    expect(m).not.toContain('TypeError');
  });

  it('non-Error throws become bounded text', () => {
    expect(userMessage('plain', 'ctx')).toBe('ctx: plain');
    expect(userMessage({ huge: 'x' }).length).toBeLessThan(50);
  });
});
