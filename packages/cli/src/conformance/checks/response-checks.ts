import type { Check, ServerEvent } from '../check.ts';
import {
  addUserText,
  audioOf,
  clientEventId,
  configure,
  expect,
  expectStatus,
  field,
  finish,
  respond,
  shown,
} from '../steps.ts';

/** The output items of a finished response, of one type. */
function outputItems(done: unknown, type: string): unknown[] {
  const output = field(done, 'response', 'output');
  return Array.isArray(output) ? output.filter((item) => field(item, 'type') === type) : [];
}

/** A text long enough that its reply takes seconds to say (the simulator echoes it). */
const LONG_REQUEST =
  'Please read this back to me slowly, word for word: the quick brown fox jumps over the lazy ' +
  'dog while the five boxing wizards jump quickly and a wizard’s job is to vex chumps quickly ' +
  'in fog, and then count from one to twenty.';

/** An audio format of the session, and the check that holds a response in it. */
function audioFormatCheck(id: string, format: Record<string, unknown>): Check {
  return {
    id,
    description: `An audio response in ${String(format.type)}: audio deltas, a transcript, the format echoed`,
    spec: [
      'RealtimeAudioFormats',
      'RealtimeServerEventResponseAudioDelta',
      'RealtimeServerEventResponseAudioTranscriptDone',
    ],
    needs: ['audio'],
    async run(context) {
      const session = await context.open();
      const updated = await configure(session, {
        output_modalities: ['audio'],
        audio: { output: { format } },
      });
      const echoed = field(updated, 'session', 'audio', 'output', 'format', 'type');
      expect(
        echoed === format.type,
        `the format ${String(format.type)} echoed`,
        shown(echoed),
        updated,
      );
      await addUserText(session, 'Say hello.');
      const response = await respond(session, context);
      expectStatus(response.done, 'completed');
      const audio = audioOf(response.events, response.id);
      expect(
        audio.length > 0,
        'audio in response.output_audio.delta',
        'no audio bytes',
        response.done,
      );
      if (format.type === 'audio/pcm') {
        // Each delta is played as it comes: half a sample would shift every one after it.
        const split = response.events.find(
          (event) =>
            event.type === 'response.output_audio.delta' &&
            event.response_id === response.id &&
            Buffer.from(String(event.delta), 'base64').length % 2 !== 0,
        );
        expect(split === undefined, 'whole 16-bit samples in every delta', 'half a sample', split);
      }
      const message = outputItems(response.done, 'message')[0];
      const content = field(message, 'content');
      const part = Array.isArray(content) ? content[0] : undefined;
      expect(
        field(part, 'type') === 'output_audio' && typeof field(part, 'transcript') === 'string',
        'an output_audio part with a transcript',
        shown(field(part, 'type')),
        response.done,
      );
    },
  };
}

/**
 * Responses: text, audio in each format, out of band, cut by `max_output_tokens`, cancelled,
 * and a second `response.create` while one is active.
 *
 * @example
 * ```ts
 * const ids = responseChecks.map((check) => check.id);
 * ```
 */
export const responseChecks: readonly Check[] = [
  {
    id: 'response.text',
    description: 'A text response: text deltas, a completed message, usage',
    spec: [
      'RealtimeClientEventResponseCreate',
      'RealtimeServerEventResponseTextDelta',
      'RealtimeServerEventResponseDone',
    ],
    async run(context) {
      const session = await context.open();
      await addUserText(session, 'Say hello.');
      const response = await respond(session, context, { output_modalities: ['text'] });
      const done = response.done;
      expectStatus(done, 'completed');
      const deltas = response.events.filter(
        (event) => event.type === 'response.output_text.delta' && event.response_id === response.id,
      );
      expect(deltas.length > 0, 'response.output_text.delta events', 'none', done);
      const content = field(outputItems(done, 'message')[0], 'content');
      const part = Array.isArray(content) ? content[0] : undefined;
      expect(
        field(part, 'type') === 'output_text',
        'an output_text part',
        shown(field(part, 'type')),
        done,
      );
      const usage = field(done, 'response', 'usage');
      expect(
        typeof field(usage, 'total_tokens') === 'number',
        'usage with total_tokens',
        shown(usage),
        done,
      );
    },
  },
  audioFormatCheck('response.audio-pcm', { type: 'audio/pcm', rate: 24_000 }),
  audioFormatCheck('response.audio-pcmu', { type: 'audio/pcmu' }),
  audioFormatCheck('response.audio-pcma', { type: 'audio/pcma' }),
  {
    id: 'response.out-of-band',
    description:
      'conversation "none": the response carries its metadata and adds nothing to the conversation',
    spec: ['RealtimeResponseCreateParams', 'RealtimeServerEventResponseCreated'],
    async run(context) {
      const session = await context.open();
      await addUserText(session, 'Is this a question?');
      const metadata = { purpose: 'classification' };
      const response = await respond(session, context, {
        conversation: 'none',
        metadata,
        output_modalities: ['text'],
      });
      for (const event of [response.created, response.done]) {
        const echoed = field(event, 'response', 'metadata');
        expect(
          JSON.stringify(echoed) === JSON.stringify(metadata),
          `${event.type} with the metadata sent`,
          shown(echoed),
          event,
        );
      }
      const ids = new Set(
        (field(response.done, 'response', 'output') as unknown[] | undefined)?.map((item) =>
          field(item, 'id'),
        ),
      );
      const added = response.events.find(
        (event) => event.type === 'conversation.item.added' && ids.has(field(event, 'item', 'id')),
      );
      expect(added === undefined, 'no conversation.item.added for its output', 'one', added);
    },
  },
  {
    id: 'response.max-output-tokens',
    description:
      'max_output_tokens cuts the response: status "incomplete", reason max_output_tokens',
    spec: ['RealtimeResponseCreateParams', 'RealtimeResponse'],
    async run(context) {
      const session = await context.open();
      await addUserText(session, LONG_REQUEST);
      const response = await respond(session, context, {
        max_output_tokens: 1,
        output_modalities: ['text'],
      });
      const done = response.done;
      expectStatus(done, 'incomplete');
      const reason = field(done, 'response', 'status_details', 'reason');
      expect(reason === 'max_output_tokens', 'reason "max_output_tokens"', shown(reason), done);
    },
  },
  {
    id: 'response.cancel',
    description: 'response.cancel mid-stream ends the response with status "cancelled"',
    spec: ['RealtimeClientEventResponseCancel', 'RealtimeServerEventResponseDone'],
    async run(context) {
      const session = await context.open();
      await addUserText(session, LONG_REQUEST);
      const sentAt = performance.now();
      const mark = session.send({ type: 'response.create' });
      await session.waitFor(
        mark,
        (event) => event.type.startsWith('response.') && event.type.endsWith('.delta'),
        'a first delta',
      );
      const doneFirst = (event: ServerEvent) => event.type === 'response.done';
      if (session.since(mark).some(doneFirst)) {
        context.skip('the response had finished before its first delta was read');
      }
      const eventId = clientEventId();
      session.send({ type: 'response.cancel', event_id: eventId });
      const response = await finish(session, context, mark, sentAt);
      // A server faster than the client's cancel finished first, and answers the cancel
      // with response_cancel_not_active: right, but no cancellation was seen.
      if (field(response.done, 'response', 'status') === 'completed') {
        const answer = await session.waitFor(
          mark,
          (event) => event.type === 'error' && field(event, 'error', 'event_id') === eventId,
          `an error answering the cancel of a completed response (${eventId})`,
        );
        if (field(answer, 'error', 'code') === 'response_cancel_not_active') {
          context.skip('the response had finished before the cancel reached the server');
        }
      }
      expectStatus(response.done, 'cancelled');
    },
  },
  {
    id: 'response.second-active',
    description: 'A response.create while one is active is refused; the first completes',
    spec: ['RealtimeClientEventResponseCreate', 'RealtimeServerEventError'],
    async run(context) {
      const session = await context.open();
      await addUserText(session, 'Say hello.');
      // Back to back, so that the second arrives while the first is active.
      const sentAt = performance.now();
      const mark = session.send({ type: 'response.create' });
      const eventId = clientEventId();
      session.send({ type: 'response.create', event_id: eventId });
      const response = await finish(session, context, mark, sentAt);
      // The refusal may come after the first response's done; a second response.created means
      // the second create was taken as a response of its own.
      const answer = await session.waitFor(
        mark,
        (event) =>
          (event.type === 'error' && field(event, 'error', 'event_id') === eventId) ||
          (event.type === 'response.created' && field(event, 'response', 'id') !== response.id),
        `an error answering ${eventId}`,
      );
      if (answer.type === 'response.created') {
        // Only a server that read the second create after the first had ended may do that.
        if (session.events.indexOf(response.done) < session.events.indexOf(answer)) {
          context.skip('the first response had ended before the second response.create was read');
        }
        expect(false, 'no second response while the first is active', 'a second response', answer);
      }
      const code = field(answer, 'error', 'code');
      expect(
        code === 'conversation_already_has_active_response',
        'code "conversation_already_has_active_response"',
        shown(code),
        answer,
      );
      expectStatus(response.done, 'completed');
    },
  },
];
