import { isJsonObject, type JsonObject } from '../json-object.ts';
import type { FieldMove } from './beta-fields.ts';

/**
 * A beta object (a session, a response) as GA has it: each moved field at its GA path, its
 * value converted, the `dropped` ones left out, every other field as it was. Objects on the
 * way are copied, never changed in place; a GA path already present (a client that mixes the
 * protocols) keeps its siblings. An object with no field to move or drop is returned itself,
 * so a caller can tell nothing changed (its frame then passes as it came).
 *
 * @example
 * ```ts
 * movedToGa({ voice: 'alloy', instructions: 'Be brief.' }, SESSION_MOVES, SESSION_DROPPED);
 * // { instructions: 'Be brief.', audio: { output: { voice: 'alloy' } } }
 * ```
 */
export function movedToGa(
  beta: JsonObject,
  moves: readonly FieldMove[],
  dropped: readonly string[] = [],
): JsonObject {
  const moved = new Set(moves.map((move) => move.beta));
  if (!Object.keys(beta).some((key) => moved.has(key) || dropped.includes(key))) return beta;
  // Entries, not assignments: a client's own `__proto__` key stays a field (and is refused
  // downstream as the unknown parameter it is) instead of becoming the object's prototype.
  const ga: JsonObject = Object.fromEntries(
    Object.entries(beta).filter(([key]) => !moved.has(key) && !dropped.includes(key)),
  );
  for (const move of moves) {
    if (!Object.hasOwn(beta, move.beta) || dropped.includes(move.beta)) continue;
    const value = beta[move.beta];
    setPath(ga, move.ga, move.value === undefined ? value : move.value.toGa(value));
  }
  return ga;
}

/**
 * A GA object as beta has it: each field at a GA path of `moves` at its flat beta name, its
 * value converted. An object the move left empty goes with it (GA's `audio` when all it held
 * moved); one that holds anything else stays, as do all other fields. An object with no field
 * at a GA path of `moves` is returned itself.
 *
 * @example
 * ```ts
 * movedToBeta({ audio: { output: { voice: 'alloy' } } }, SESSION_MOVES); // { voice: 'alloy' }
 * ```
 */
export function movedToBeta(ga: JsonObject, moves: readonly FieldMove[]): JsonObject {
  let beta = ga;
  for (const move of moves) {
    const found = readPath(ga, move.ga);
    if (!found.present) continue;
    // withoutPath copies every object on its way: `ga` itself is never written.
    beta = withoutPath(beta, move.ga);
    beta[move.beta] = move.value === undefined ? found.value : move.value.toBeta(found.value);
  }
  return beta;
}

/** The value at `path`, when every step on the way is an object that has the next key. */
function readPath(
  object: JsonObject,
  path: readonly string[],
): { present: true; value: unknown } | { present: false } {
  let current: unknown = object;
  for (const key of path) {
    if (!isJsonObject(current) || !Object.hasOwn(current, key)) return { present: false };
    current = current[key];
  }
  return { present: true, value: current };
}

/** Sets `path` in `target` (its own copy of every object on the way), making missing steps. */
function setPath(target: JsonObject, path: readonly string[], value: unknown): void {
  let current = target;
  for (const key of path.slice(0, -1)) {
    const next = current[key];
    const copy: JsonObject = isJsonObject(next) ? { ...next } : {};
    current[key] = copy;
    current = copy;
  }
  current[path[path.length - 1] as string] = value;
}

/**
 * `object` without the field at `path` (present: {@link readPath} said so), each object on the
 * way copied; an object the removal empties is removed in turn.
 */
function withoutPath(object: JsonObject, path: readonly string[]): JsonObject {
  const [key, ...rest] = path as [string, ...string[]];
  const copy: JsonObject = { ...object };
  if (rest.length === 0) {
    delete copy[key];
    return copy;
  }
  const inner = withoutPath(copy[key] as JsonObject, rest);
  if (Object.keys(inner).length === 0) delete copy[key];
  else copy[key] = inner;
  return copy;
}
