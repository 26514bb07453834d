import { expect } from 'vitest';

/**
 * A message a person sees for a bad input: it matches every pattern (the field or file, and the problem), is
 * under 500 bytes, and carries no stack frame, runtime error class or raw Node error code.
 */
export function expectUserMessage(message: string | undefined, ...patterns: RegExp[]): void {
  expect(message, 'a message').toBeTypeOf('string');
  const m = message!;
  for (const p of patterns) expect(m).toMatch(p);
  expect(Buffer.byteLength(m)).toBeLessThan(500);
  expect(m).not.toMatch(/\n\s+at |TypeError|ReferenceError|ENOENT|DataCloneError|\bat Object\./);
}

/** What `p` rejects with; fails the test when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}
