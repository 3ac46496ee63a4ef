import { expect } from 'vitest';
import { UserError } from '../../src/errors.js';

/** The UserError a call throws (fails the test when it throws anything else or nothing). */
export function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    return err as UserError;
  }
  throw new Error('expected a UserError, nothing was thrown');
}
