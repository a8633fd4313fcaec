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
export { base64Length, writeBase64 } from './base64.ts';
export { numberToJson } from './encode-number.ts';
export { quoteJsonString } from './escape-json-string.ts';
export { maxJsonStringBytes, writeJsonString } from './utf8-writer.ts';
