/** Where an error keeps the brands of its classes, shared by every copy of rtwire. */
const BRANDS = Symbol.for('rtwire.error.brands');

/**
 * The base of the errors rtwire throws for misuse a caller can act on (decoding never throws:
 * its errors are values). Each carries a stable `code`; messages name the operation and the
 * state, never a payload. Recognise one with `isInstance` on its class rather than
 * `instanceof`: the check goes by a `Symbol.for` brand, so an error from another installed copy
 * of rtwire (a duplicated dependency, a bundled one) is recognised too. Arguments of the wrong
 * type still get the runtime's own `TypeError` / `RangeError`, as built-in APIs throw them.
 *
 * @example
 * ```ts
 * class MyError extends RtwireError {
 *   static override readonly brand: string = 'my.MyError';
 * }
 * try {
 *   host.admit(request).open(socket);
 * } catch (error) {
 *   if (RtwireError.isInstance(error)) console.warn(error.code);
 * }
 * ```
 */
export class RtwireError extends Error {
  /** The brand of this class; each subclass names its own. */
  static readonly brand: string = 'rtwire.RtwireError';
  /** Stable machine-readable reason. */
  readonly code: string;

  constructor(code: string, message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'RtwireError';
    this.code = code;
    const brands: string[] = [];
    for (
      let type: unknown = new.target;
      typeof type === 'function' && type !== Error;
      type = Object.getPrototypeOf(type)
    ) {
      if (Object.hasOwn(type, 'brand')) brands.push((type as unknown as { brand: string }).brand);
    }
    Object.defineProperty(this, BRANDS, { value: Object.freeze(brands) });
  }

  /**
   * Whether `value` is an error of this class (or a subclass), made by any copy of rtwire.
   *
   * @example
   * ```ts
   * if (ResponseWriterError.isInstance(error)) console.warn(error.code);
   * ```
   */
  static isInstance<T>(
    this: { readonly brand: string; readonly prototype: T },
    value: unknown,
  ): value is T {
    if (typeof value !== 'object' || value === null) return false;
    const brands = (value as { [BRANDS]?: unknown })[BRANDS];
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass isInstance is called on.
    return Array.isArray(brands) && brands.includes(this.brand);
  }
}
