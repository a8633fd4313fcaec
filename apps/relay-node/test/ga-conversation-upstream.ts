import type { WebSocket } from 'ws';
import { assistantAnswer, streamTextPart } from './scripted-upstream.ts';

/** 100 ms of a 440 Hz tone, 24 kHz PCM16, base64: what the fake upstream says. */
const TONE = (() => {
  const samples = new Int16Array(2400);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 24000));
  }
  return Buffer.from(samples.buffer).toString('base64');
})();

/**
 * Makes a fake upstream hold a conversation as the GA Realtime API does, in its event order:
 * `session.update` answered with the merged session, items announced with
 * `conversation.item.added` and `.done`, a commit of input audio answered with its item and
 * (with transcription on) its transcript, and each `response.create` with a response in the
 * session's (or the response's) output modality: streamed text, or audio with its transcript.
 */
export function answerLikeGa(socket: WebSocket, words: readonly string[] = ['Hello', ' there.']) {
  let sequence = 0;
  let lastItem: string | null = null;
  const session: Record<string, unknown> = {
    type: 'realtime',
    object: 'realtime.session',
    id: 'sess_fake',
    output_modalities: ['audio'],
    audio: {
      input: {
        format: { type: 'audio/pcm', rate: 24000 },
        transcription: null,
        turn_detection: null,
      },
      output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin' },
    },
  };
  const send = (event: Record<string, unknown>) =>
    socket.send(JSON.stringify({ ...event, event_id: `event_${++sequence}` }));
  const addItem = (item: Record<string, unknown>) => {
    const previous = lastItem;
    lastItem = String(item.id);
    send({ type: 'conversation.item.added', previous_item_id: previous, item });
    return previous;
  };
  socket.on('message', (data) => {
    const event = JSON.parse(data.toString()) as Record<string, unknown> & { type: string };
    if (event.type === 'session.update') {
      const update = (event.session ?? {}) as Record<string, unknown>;
      const audio = (update.audio ?? {}) as Record<string, Record<string, unknown>>;
      const current = session.audio as Record<string, Record<string, unknown>>;
      Object.assign(session, update, {
        audio: {
          input: { ...current.input, ...audio.input },
          output: { ...current.output, ...audio.output },
        },
      });
      send({ type: 'session.updated', session });
    }
    if (event.type === 'conversation.item.create') {
      const item = {
        id: `item_u${sequence}`,
        object: 'realtime.item',
        status: 'completed',
        ...(event.item as object),
      };
      const previous = addItem(item);
      send({ type: 'conversation.item.done', previous_item_id: previous, item });
    }
    if (event.type === 'input_audio_buffer.commit') {
      const id = `item_a${sequence}`;
      const item = {
        id,
        object: 'realtime.item',
        type: 'message',
        role: 'user',
        status: 'completed',
        content: [{ type: 'input_audio', transcript: null }],
      };
      send({ type: 'input_audio_buffer.committed', item_id: id, previous_item_id: lastItem });
      const previous = addItem(item);
      send({ type: 'conversation.item.done', previous_item_id: previous, item });
      const transcribing = (session.audio as { input: { transcription: unknown } }).input
        .transcription;
      if (transcribing) {
        send({
          type: 'conversation.item.input_audio_transcription.completed',
          item_id: id,
          content_index: 0,
          transcript: 'a tone',
        });
      }
    }
    if (event.type === 'response.create') respond(event.response as Record<string, unknown>);
  });

  const respond = (params: Record<string, unknown> | undefined) => {
    const modalities = (params?.output_modalities ?? session.output_modalities) as string[];
    const audio = modalities.includes('audio');
    const { response, item, scope } = assistantAnswer(sequence, modalities);
    const text = words.join('');
    send({ type: 'response.created', response });
    send({ type: 'response.output_item.added', response_id: response.id, output_index: 0, item });
    const previous = addItem(item);
    if (audio) {
      send({
        type: 'response.content_part.added',
        ...scope,
        part: { type: 'audio', transcript: '' },
      });
      for (const word of words) {
        send({ type: 'response.output_audio.delta', ...scope, delta: TONE });
        send({ type: 'response.output_audio_transcript.delta', ...scope, delta: word });
      }
      send({ type: 'response.output_audio.done', ...scope });
      send({ type: 'response.output_audio_transcript.done', ...scope, transcript: text });
      send({
        type: 'response.content_part.done',
        ...scope,
        part: { type: 'audio', transcript: text },
      });
    } else {
      streamTextPart(send, scope, words);
    }
    const done = {
      ...item,
      status: 'completed',
      content: [audio ? { type: 'output_audio', transcript: text } : { type: 'output_text', text }],
    };
    send({
      type: 'response.output_item.done',
      response_id: response.id,
      output_index: 0,
      item: done,
    });
    send({ type: 'conversation.item.done', previous_item_id: previous, item: done });
    send({ type: 'response.done', response: { ...response, status: 'completed', output: [done] } });
  };
}
