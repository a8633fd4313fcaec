import { isJsonObject, type JsonObject } from '../json-object.ts';
import { ASSISTANT_CONTENT_TYPES } from './beta-fields.ts';

const BETA_CONTENT_TYPES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ASSISTANT_CONTENT_TYPES).map(([ga, beta]) => [beta, ga]),
);

/**
 * A conversation item as GA has it: an assistant message's `text` / `audio` parts become
 * `output_text` / `output_audio`. Every other item, and every other part, is returned as it is
 * (the same object, so a caller can tell nothing changed).
 *
 * @example
 * ```ts
 * itemToGa({ type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Hi' }] });
 * // { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi' }] }
 * ```
 */
export function itemToGa(item: unknown): unknown {
  return withContentTypes(item, BETA_CONTENT_TYPES);
}

/**
 * A conversation item as beta has it: an assistant message's `output_text` / `output_audio`
 * parts become `text` / `audio`; anything else is returned as it is.
 *
 * @example
 * ```ts
 * itemToBeta({ type: 'message', role: 'assistant', content: [{ type: 'output_audio', transcript: 'Hi' }] });
 * // { type: 'message', role: 'assistant', content: [{ type: 'audio', transcript: 'Hi' }] }
 * ```
 */
export function itemToBeta(item: unknown): unknown {
  return withContentTypes(item, ASSISTANT_CONTENT_TYPES);
}

/**
 * Each item of a list through `translate` (a response's `output`, `response.create`'s
 * `input`); a value that is not a list, or a list none of whose items changed, is returned as
 * it is.
 *
 * @example
 * ```ts
 * itemsWith(response.output, itemToBeta);
 * ```
 */
export function itemsWith(items: unknown, translate: (item: unknown) => unknown): unknown {
  return Array.isArray(items) ? mappedIfChanged(items, translate) : items;
}

/**
 * A content part (`response.content_part.*`'s `part`) as beta has it. The spec names these
 * `text` and `audio` in both protocols; a server that writes an item's names there
 * (`output_text`) gets them renamed as in an item.
 *
 * @example
 * ```ts
 * partToBeta({ type: 'output_text', text: '' }); // { type: 'text', text: '' }
 * ```
 */
export function partToBeta(part: unknown): unknown {
  return renamedPart(part, ASSISTANT_CONTENT_TYPES);
}

function withContentTypes(item: unknown, names: Readonly<Record<string, string>>): unknown {
  if (!isJsonObject(item) || item.type !== 'message' || item.role !== 'assistant') return item;
  const { content } = item;
  if (!Array.isArray(content)) return item;
  const parts = mappedIfChanged(content, (part) => renamedPart(part, names));
  return parts === content ? item : { ...item, content: parts };
}

/** `list` through `map`, or `list` itself when `map` returned every element unchanged. */
function mappedIfChanged(list: readonly unknown[], map: (element: unknown) => unknown): unknown[] {
  let changed = false;
  const mapped = list.map((element) => {
    const result = map(element);
    if (result !== element) changed = true;
    return result;
  });
  return changed ? mapped : (list as unknown[]);
}

function renamedPart(part: unknown, names: Readonly<Record<string, string>>): unknown {
  if (!isJsonObject(part) || typeof part.type !== 'string') return part;
  const type = Object.hasOwn(names, part.type) ? names[part.type] : undefined;
  return type === undefined ? part : ({ ...part, type } satisfies JsonObject);
}
