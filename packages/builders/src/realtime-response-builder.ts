import type {
  RealtimeConversationItem,
  RealtimeModality,
  RealtimeResponse,
  RealtimeResponseStatus,
  RealtimeResponseStatusDetails,
  RealtimeResponseUsage,
} from '@rtwire/types';

type Fields = {
  -readonly [K in keyof RealtimeResponse]: RealtimeResponse[K];
};

/**
 * A fluent, immutable builder of a `RealtimeResponse` (the `response` of `response.created`
 * and `response.done`). Every setter returns a new builder, so a base can be shared.
 *
 * Defaults follow the Rust `openai_protocol` crate (`object: 'realtime.response'`,
 * `status: 'in_progress'`) and, where the crate leaves a field out, the live API, which sends
 * `output: []` and `null` for `status_details`, `usage` and `metadata`.
 *
 * @example
 * ```ts
 * const response = new RealtimeResponseBuilder('resp_1')
 *   .conversationId('conv_1')
 *   .outputModalities(['text'])
 *   .build();
 * ```
 */
export class RealtimeResponseBuilder {
  readonly #fields: Readonly<Fields>;

  /** @param id - The response id (`resp_…`). */
  constructor(id: string);
  /** @internal */
  constructor(id: string, fields: Readonly<Fields>);
  constructor(id: string, fields?: Readonly<Fields>) {
    this.#fields = fields ?? {
      object: 'realtime.response',
      id,
      status: 'in_progress',
      status_details: null,
      output: [],
      conversation_id: null,
      output_modalities: undefined,
      max_output_tokens: undefined,
      audio: undefined,
      usage: null,
      metadata: null,
    };
  }

  #with(patch: Fields): RealtimeResponseBuilder {
    return new RealtimeResponseBuilder(this.#fields.id ?? '', { ...this.#fields, ...patch });
  }

  /** Lifecycle status (default `in_progress`). */
  status(status: RealtimeResponseStatus): RealtimeResponseBuilder {
    return this.#with({ status });
  }

  /** Why the response ended as it did (cancellation reason, failure error). */
  statusDetails(details: RealtimeResponseStatusDetails | null): RealtimeResponseBuilder {
    return this.#with({ status_details: details });
  }

  /** Replaces the output items. */
  output(items: readonly RealtimeConversationItem[]): RealtimeResponseBuilder {
    return this.#with({ output: [...items] });
  }

  /** Appends one output item. */
  addOutput(item: RealtimeConversationItem): RealtimeResponseBuilder {
    return this.#with({ output: [...(this.#fields.output ?? []), item] });
  }

  /** Token usage (sent on `response.done`). */
  usage(usage: RealtimeResponseUsage | null): RealtimeResponseBuilder {
    return this.#with({ usage });
  }

  /** The conversation the response is added to; `null` for an out-of-band response. */
  conversationId(id: string | null): RealtimeResponseBuilder {
    return this.#with({ conversation_id: id });
  }

  /** The modalities the response is produced in. */
  outputModalities(modalities: readonly RealtimeModality[]): RealtimeResponseBuilder {
    return this.#with({ output_modalities: [...modalities] });
  }

  /** The output token cap, or `'inf'`. */
  maxOutputTokens(max: number | 'inf'): RealtimeResponseBuilder {
    return this.#with({ max_output_tokens: max });
  }

  /** The output audio configuration (format and voice). */
  audio(audio: RealtimeResponse['audio']): RealtimeResponseBuilder {
    return this.#with({ audio });
  }

  /** Replaces the metadata (up to 16 string pairs, per the API). */
  metadata(metadata: Readonly<Record<string, string>> | null): RealtimeResponseBuilder {
    return this.#with({ metadata: metadata === null ? null : { ...metadata } });
  }

  /** Adds one metadata entry. */
  addMetadata(key: string, value: string): RealtimeResponseBuilder {
    return this.#with({ metadata: { ...(this.#fields.metadata ?? {}), [key]: value } });
  }

  /** Builds the response object; fields never set are left out. */
  build(): RealtimeResponse {
    const response: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(this.#fields)) {
      if (value === undefined) continue;
      // Copies, so mutating a built response never reaches the builder or its siblings.
      if (Array.isArray(value)) response[key] = [...value];
      else if (key === 'metadata' && value !== null) response[key] = { ...(value as object) };
      else response[key] = value;
    }
    return response as RealtimeResponse;
  }
}
