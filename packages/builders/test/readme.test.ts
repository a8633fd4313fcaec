import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { specErrors } from '../../../test-support/spec-validator.ts';
import { streamReply, textDeltas } from '../examples/streaming.ts';

const read = (path: string) => readFileSync(new URL(path, import.meta.url), 'utf8');

describe('README streaming example', () => {
  it('is the example file, verbatim', () => {
    const readme = read('../README.md');
    const block = /<!-- example: examples\/streaming\.ts -->\n```ts\n([\s\S]*?)```/.exec(readme);
    expect(block?.[1]).toBe(read('../examples/streaming.ts'));
  });

  it('streams a whole valid response from a token stream', async () => {
    async function* tokens() {
      yield 'Hello';
      yield ', ';
      yield 'world';
    }
    const frames: string[] = [];
    const response = await streamReply(tokens(), (frame) => frames.push(frame));
    const events = frames.map((frame) => JSON.parse(frame));
    for (const event of events) expect(specErrors(event), event.type).toBeUndefined();
    expect(events.map((event) => event.type)).toEqual([
      'response.created',
      'response.output_item.added',
      'conversation.item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'conversation.item.done',
      'response.done',
    ]);
    expect(response.output?.[0]).toMatchObject({ content: [{ text: 'Hello, world' }] });
  });

  it('builds deltas from one reused context', () => {
    const deltas = textDeltas(['a', 'b']);
    expect(deltas.map((d) => [d.response_id, d.item_id, d.delta])).toEqual([
      ['resp_2', 'item_2', 'a'],
      ['resp_2', 'item_2', 'b'],
    ]);
    expect(deltas[0]?.event_id).not.toBe(deltas[1]?.event_id);
  });
});
