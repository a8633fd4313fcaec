/**
 * `@rtwire/serializer/internal`: the building blocks the encoders are made of (the JSON string
 * escaper, base64 into a buffer, number formatting). Not part of the stable API: names and
 * signatures here may change in any release, without a major version.
 *
 * @example
 * ```ts
 * import { quoteJsonString } from '@rtwire/serializer/internal';
 *
 * quoteJsonString('say "hi"'); // '"say \\"hi\\""'
 * ```
 *
 * @module
 */
export { base64Length, writeBase64 } from './engine/base64.ts';
export { numberToJson } from './engine/encode-number.ts';
export { quoteJsonString } from './engine/escape-json-string.ts';
export { maxJsonStringBytes, writeJsonString } from './engine/utf8-writer.ts';
