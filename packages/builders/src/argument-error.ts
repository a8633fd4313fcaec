/**
 * The `TypeError` a builder throws for an argument of the wrong type: which builder, which
 * argument, what was expected (never the value, which may be a transcript or audio).
 */
export function argumentError(where: string, name: string, expected: string): TypeError {
  return new TypeError(`${where}: ${name} must be ${expected}`);
}
