import type { Check } from '../check.ts';
import { configure, expect, field, shown } from '../steps.ts';

/**
 * The session lifecycle: `session.created` first, `session.update` echoed and merged.
 * (Refusals of invalid and unknown session fields are in the error checks.)
 *
 * @example
 * ```ts
 * const ids = sessionChecks.map((check) => check.id);
 * ```
 */
export const sessionChecks: readonly Check[] = [
  {
    id: 'session.created-first',
    description: 'The first server event is session.created, with a realtime session',
    spec: ['RealtimeServerEventSessionCreated'],
    async run(context) {
      const session = await context.open();
      const first = session.events[0];
      expect(first?.type === 'session.created', 'session.created first', shown(first?.type), first);
      const type = field(first, 'session', 'type');
      expect(type === 'realtime', 'session.type "realtime"', shown(type), first);
    },
  },
  {
    id: 'session.update-echo',
    description: 'session.update is answered by session.updated carrying the new values',
    spec: ['RealtimeClientEventSessionUpdate', 'RealtimeServerEventSessionUpdated'],
    async run(context) {
      const session = await context.open();
      const instructions = 'You are taking part in a protocol conformance check.';
      const updated = await configure(session, { instructions, output_modalities: ['text'] });
      const echoed = field(updated, 'session', 'instructions');
      expect(echoed === instructions, 'the new instructions', shown(echoed), updated);
      const modalities = field(updated, 'session', 'output_modalities');
      expect(
        JSON.stringify(modalities) === '["text"]',
        'output_modalities ["text"]',
        JSON.stringify(modalities) ?? 'nothing',
        updated,
      );
    },
  },
  {
    id: 'session.update-merge',
    description: 'A session.update changes only the fields it names; the others keep their values',
    spec: ['RealtimeClientEventSessionUpdate', 'RealtimeServerEventSessionUpdated'],
    async run(context) {
      const session = await context.open();
      const instructions = 'Answer in one short sentence.';
      await configure(session, { instructions });
      const tool = {
        type: 'function',
        name: 'conformance_probe',
        description: 'Does nothing.',
        parameters: { type: 'object', properties: {} },
      };
      const updated = await configure(session, { tools: [tool] });
      const kept = field(updated, 'session', 'instructions');
      expect(
        kept === instructions,
        'the instructions of the first update kept',
        shown(kept),
        updated,
      );
      const tools = field(updated, 'session', 'tools');
      expect(
        Array.isArray(tools) && tools.length === 1 && field(tools[0], 'name') === tool.name,
        'the tool of the second update',
        Array.isArray(tools) ? `${tools.length} tools` : shown(tools),
        updated,
      );
    },
  },
  {
    id: 'session.update-refused-unchanged',
    description: 'A refused session.update changes nothing: the next update shows the old values',
    spec: ['RealtimeClientEventSessionUpdate', 'RealtimeServerEventError'],
    async run(context) {
      const session = await context.open();
      await configure(session, { output_modalities: ['text'] });
      const refused = await configure(
        session,
        { output_modalities: ['audio'], instructions: 7 },
        'return',
      );
      expect(
        refused.type === 'error',
        'an error for instructions of the wrong type',
        refused.type,
        refused,
      );
      const updated = await configure(session, {});
      const modalities = field(updated, 'session', 'output_modalities');
      expect(
        JSON.stringify(modalities) === '["text"]',
        'output_modalities still ["text"]',
        JSON.stringify(modalities) ?? 'nothing',
        updated,
      );
    },
  },
];
