import { expect } from 'vitest';
import { InputError, userMessage } from '../../src/io/user-error';

/**
 * What a user message never carries: a stack frame (`\n    at f (x.js:1:2)`, `at Object.`, `x.ts:12`), a runtime
 * error class or its text (TypeError, RangeError, "Maximum call stack", "Cannot read properties"), a raw Node error
 * code, or a structured-clone failure.
 */
export const INTERNALS =
  /\n\s+at | at \S+ \(|\bat Object\.|\.[jt]s:\d+|TypeError|ReferenceError|RangeError|DataCloneError|Maximum call stack|Cannot read properties|ENOENT|EISDIR|ENOTDIR/;

/**
 * A message a person sees for a bad input: it matches every pattern (the field or file, and the problem; a string
 * is a part it contains), is under 500 bytes, and carries none of the runtime's INTERNALS.
 */
export function expectUserMessage(message: string | undefined, ...patterns: (string | RegExp)[]): void {
  expect(message, 'a message').toBeTypeOf('string');
  const m = message!;
  for (const p of patterns) expect(m).toMatch(p);
  expect(Buffer.byteLength(m)).toBeLessThan(500);
  expect(m).not.toMatch(INTERNALS);
}

type ErrorClass<E extends Error = Error> = abstract new (...args: any[]) => E;

/** `caught` is an `ErrorClass` whose message is a user message that the boundaries show as it is. */
function expectRefusal<E extends Error>(caught: unknown, ErrorClass: ErrorClass<E>): E {
  expect(caught).toBeInstanceOf(ErrorClass);
  const err = caught as E;
  expectUserMessage(err.message);
  expect(userMessage(err)).toBe(err.message);
  return err;
}

/**
 * The error `fn` throws, checked to be an `ErrorClass` (InputError and its kinds by default) whose message is a
 * user message (expectUserMessage) that userMessage, as every boundary does, gives unchanged.
 */
export function thrown<E extends Error = InputError>(fn: () => unknown, ErrorClass: ErrorClass<E> = InputError as never): E {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  return expectRefusal(caught, ErrorClass);
}

/** The message of the error `fn` throws, checked as `thrown` checks it. */
export function refusal(fn: () => unknown, ErrorClass: ErrorClass = InputError): string {
  return thrown(fn, ErrorClass).message;
}

/** The message `p` rejects with, checked as `thrown` checks a thrown error; fails the test when `p` resolves. */
export async function rejectionMessage(p: Promise<unknown>, ErrorClass: ErrorClass = InputError): Promise<string> {
  return expectRefusal(await rejection(p), ErrorClass).message;
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
