import { createEventIds, ResponseEventBuilder, ResponseWriter } from '@rtwire/builders';

/** Whatever produces the reply: a model, a TTS engine, a script. */
export type TokenStream = AsyncIterable<string>;

// The whole response, in protocol order, from a token stream.
export async function streamReply(tokens: TokenStream, send: (frame: string) => void) {
  const writer = new ResponseWriter({
    responseId: 'resp_1',
    eventIds: createEventIds(),
    emit: (event) => send(JSON.stringify(event)),
  });
  const message = writer.message({ itemId: 'item_1', modality: 'text' });
  for await (const token of tokens) message.text(token); // response.output_text.delta
  message.done(); // output_text.done → content_part.done → output_item.done → item.done
  return writer.done({ usage: { total_tokens: 12, input_tokens: 5, output_tokens: 7 } });
}

// The hot path by hand: one context, many deltas, only event_id and payload per event.
export function textDeltas(chunks: readonly string[]) {
  const nextEventId = createEventIds();
  const content = new ResponseEventBuilder('resp_2').forItem('item_2', 0).forContent(0);
  return chunks.map((chunk) => content.outputTextDelta(nextEventId(), chunk));
}
