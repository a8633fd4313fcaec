import { describe, expect, it } from 'vitest';
import { RtwireError } from './rtwire-error.ts';

class ParentError extends RtwireError {
  static override readonly brand: string = 'test.ParentError';
}
class ChildError extends ParentError {
  static override readonly brand: string = 'test.ChildError';
}

describe('RtwireError', () => {
  it('carries its code, message, name and cause', () => {
    const cause = new Error('underneath');
    const error = new RtwireError('some_code', 'what went wrong', { cause });
    expect(error).toBeInstanceOf(Error);
    expect([error.code, error.message, error.name, error.cause]).toEqual([
      'some_code',
      'what went wrong',
      'RtwireError',
      cause,
    ]);
  });

  it('isInstance goes by each class’s brand: subclasses are their parents, not the reverse', () => {
    const child = new ChildError('c', 'child');
    const parent = new ParentError('p', 'parent');
    expect(RtwireError.isInstance(child)).toBe(true);
    expect(ParentError.isInstance(child)).toBe(true);
    expect(ChildError.isInstance(child)).toBe(true);
    expect(ChildError.isInstance(parent)).toBe(false);
    expect(ParentError.isInstance(new RtwireError('x', 'base'))).toBe(false);
    for (const other of [new Error('plain'), null, undefined, 'text', { code: 'c' }]) {
      expect(RtwireError.isInstance(other)).toBe(false);
    }
  });

  it('recognises an error from another copy of the package, whose classes differ', () => {
    // What another copy's ChildError looks like from here: other classes, the same brands.
    const foreign = Object.assign(new Error('from elsewhere'), { code: 'c' });
    Object.defineProperty(foreign, Symbol.for('rtwire.error.brands'), {
      value: ['test.ChildError', 'test.ParentError', 'rtwire.RtwireError'],
    });
    expect(foreign instanceof ChildError).toBe(false);
    expect(ChildError.isInstance(foreign)).toBe(true);
    expect(RtwireError.isInstance(foreign)).toBe(true);
  });
});
