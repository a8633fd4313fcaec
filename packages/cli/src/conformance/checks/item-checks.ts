import type { Check } from '../check.ts';
import { addUserText, clientEventId, configure, expect, field, respond, shown } from '../steps.ts';

/**
 * Conversation items: create (at the end and after a given item), retrieve, delete, truncate.
 *
 * @example
 * ```ts
 * const ids = itemChecks.map((check) => check.id);
 * ```
 */
export const itemChecks: readonly Check[] = [
  {
    id: 'item.create',
    description: 'conversation.item.create adds the item: added then done, content kept',
    spec: [
      'RealtimeClientEventConversationItemCreate',
      'RealtimeServerEventConversationItemAdded',
      'RealtimeServerEventConversationItemDone',
    ],
    async run(context) {
      const session = await context.open();
      const text = 'The first words of this conversation.';
      const mark = session.send({
        type: 'conversation.item.create',
        item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] },
      });
      const added = await session.waitFor(mark, 'conversation.item.added');
      const previous = field(added, 'previous_item_id');
      expect(previous == null, 'previous_item_id null for the first item', shown(previous), added);
      const done = await session.waitFor(mark, 'conversation.item.done');
      expect(
        field(done, 'item', 'id') === field(added, 'item', 'id'),
        'conversation.item.done of the item added',
        shown(field(done, 'item', 'id')),
        done,
      );
      const content = field(done, 'item', 'content');
      const kept = Array.isArray(content) ? field(content[0], 'text') : undefined;
      expect(
        kept === text,
        'the input_text as sent',
        kept === undefined ? 'no text' : 'other text',
        done,
      );
    },
  },
  {
    id: 'item.create-previous',
    description: 'previous_item_id places the new item after that item, not at the end',
    spec: ['RealtimeClientEventConversationItemCreate', 'RealtimeServerEventConversationItemAdded'],
    async run(context) {
      const session = await context.open();
      const first = await addUserText(session, 'One.');
      await addUserText(session, 'Two.');
      const mark = session.send({
        type: 'conversation.item.create',
        previous_item_id: first,
        item: {
          type: 'message',
          role: 'user',
          content: [{ type: 'input_text', text: 'After one.' }],
        },
      });
      const added = await session.waitFor(mark, 'conversation.item.added');
      const previous = field(added, 'previous_item_id');
      expect(previous === first, `previous_item_id ${shown(first)}`, shown(previous), added);
    },
  },
  {
    id: 'item.retrieve',
    description: 'conversation.item.retrieve answers conversation.item.retrieved with the item',
    spec: [
      'RealtimeClientEventConversationItemRetrieve',
      'RealtimeServerEventConversationItemRetrieved',
    ],
    async run(context) {
      const session = await context.open();
      const itemId = await addUserText(session, 'Keep this.');
      const mark = session.send({ type: 'conversation.item.retrieve', item_id: itemId });
      const retrieved = await session.waitFor(mark, 'conversation.item.retrieved');
      expect(
        field(retrieved, 'item', 'id') === itemId,
        `the item ${itemId}`,
        shown(field(retrieved, 'item', 'id')),
        retrieved,
      );
      const content = field(retrieved, 'item', 'content');
      const text = Array.isArray(content) ? field(content[0], 'text') : undefined;
      expect(
        text === 'Keep this.',
        'its content',
        text === undefined ? 'no text' : 'other text',
        retrieved,
      );
    },
  },
  {
    id: 'item.delete',
    description: 'conversation.item.delete answers conversation.item.deleted; the item is gone',
    spec: [
      'RealtimeClientEventConversationItemDelete',
      'RealtimeServerEventConversationItemDeleted',
    ],
    async run(context) {
      const session = await context.open();
      const itemId = await addUserText(session, 'Forget this.');
      let mark = session.send({ type: 'conversation.item.delete', item_id: itemId });
      const deleted = await session.waitFor(mark, 'conversation.item.deleted');
      expect(deleted.item_id === itemId, `item_id ${itemId}`, shown(deleted.item_id), deleted);
      const eventId = clientEventId();
      mark = session.send({
        type: 'conversation.item.retrieve',
        item_id: itemId,
        event_id: eventId,
      });
      const answer = await session.waitFor(
        mark,
        (event) => event.type === 'conversation.item.retrieved' || event.type === 'error',
        'an error retrieving the deleted item',
      );
      expect(answer.type === 'error', 'an error: the item is gone', answer.type, answer);
    },
  },
  {
    id: 'item.truncate',
    description:
      "conversation.item.truncate cuts an assistant message's audio: conversation.item.truncated",
    spec: [
      'RealtimeClientEventConversationItemTruncate',
      'RealtimeServerEventConversationItemTruncated',
    ],
    needs: ['audio'],
    async run(context) {
      const session = await context.open();
      await configure(session, { output_modalities: ['audio'] });
      await addUserText(session, 'Say a short sentence.');
      const response = await respond(session, context);
      const output = field(response.done, 'response', 'output');
      const message = Array.isArray(output)
        ? output.find((item) => field(item, 'type') === 'message')
        : undefined;
      const itemId = field(message, 'id');
      expect(typeof itemId === 'string', 'an assistant message with audio', 'none', response.done);
      const mark = session.send({
        type: 'conversation.item.truncate',
        item_id: itemId,
        content_index: 0,
        audio_end_ms: 50,
      });
      const truncated = await session.waitFor(
        mark,
        (event) => event.type === 'conversation.item.truncated' || event.type === 'error',
        'conversation.item.truncated',
      );
      expect(
        truncated.type === 'conversation.item.truncated',
        'conversation.item.truncated',
        `${truncated.type} ${shown(field(truncated, 'error', 'code'))}`,
        truncated,
      );
      expect(
        truncated.item_id === itemId,
        `item_id ${itemId}`,
        shown(truncated.item_id),
        truncated,
      );
      expect(
        truncated.content_index === 0,
        'content_index 0',
        shown(truncated.content_index),
        truncated,
      );
      expect(
        truncated.audio_end_ms === 50,
        'audio_end_ms 50',
        shown(truncated.audio_end_ms),
        truncated,
      );
    },
  },
];
