import type { WebSocket } from 'ws';

type Send = (event: Record<string, unknown>) => void;

/**
 * The response and assistant item of a fake upstream's answer (both `in_progress`, numbered
 * by `sequence`; the response in `outputModalities` when given), and the scope of their one
 * content part.
 */
export function assistantAnswer(sequence: number, outputModalities?: readonly string[]) {
  const response = {
    id: `resp_${sequence}`,
    object: 'realtime.response',
    status: 'in_progress',
    output: [],
    ...(outputModalities === undefined ? {} : { output_modalities: outputModalities }),
  };
  const item = {
    id: `item_${sequence}`,
    object: 'realtime.item',
    type: 'message',
    role: 'assistant',
    status: 'in_progress',
    content: [] as unknown[],
  };
  const scope = { response_id: response.id, item_id: item.id, output_index: 0, content_index: 0 };
  return { response, item, scope };
}

/** Streams `words` as the text part at `scope`: the part added, a delta a word, both done. */
export function streamTextPart(
  send: Send,
  scope: Record<string, unknown>,
  words: readonly string[],
): void {
  const text = words.join('');
  send({ type: 'response.content_part.added', ...scope, part: { type: 'text', text: '' } });
  for (const delta of words) send({ type: 'response.output_text.delta', ...scope, delta });
  send({ type: 'response.output_text.done', ...scope, text });
  send({ type: 'response.content_part.done', ...scope, part: { type: 'text', text } });
}

/**
 * Makes a fake upstream answer every `response.create` with a short streamed text response
 * (the GA event sequence), enough for official clients to hold a conversation.
 */
export function answerWithText(
  socket: WebSocket,
  words: readonly string[] = ['Hello', ' from', ' upstream.'],
): void {
  let sequence = 0;
  const send = (event: Record<string, unknown>) =>
    socket.send(JSON.stringify({ ...event, event_id: `event_${++sequence}` }));
  socket.on('message', (data) => {
    const event = JSON.parse(data.toString()) as { type: string };
    if (event.type === 'session.update')
      send({ type: 'session.updated', session: { type: 'realtime', output_modalities: ['text'] } });
    if (event.type === 'conversation.item.create') {
      send({
        type: 'conversation.item.added',
        previous_item_id: null,
        item: {
          id: `item_u${sequence}`,
          type: 'message',
          role: 'user',
          status: 'completed',
          content: [],
        },
      });
    }
    if (event.type !== 'response.create') return;
    const { response, item, scope } = assistantAnswer(sequence);
    const text = words.join('');
    send({ type: 'response.created', response });
    send({ type: 'response.output_item.added', response_id: response.id, output_index: 0, item });
    streamTextPart(send, scope, words);
    const done = { ...item, status: 'completed', content: [{ type: 'output_text', text }] };
    send({
      type: 'response.output_item.done',
      response_id: response.id,
      output_index: 0,
      item: done,
    });
    send({ type: 'response.done', response: { ...response, status: 'completed', output: [done] } });
  });
}
