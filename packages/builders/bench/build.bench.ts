// Cost of building a text delta through a reused ContentEventBuilder relative to writing the
// object literal by hand. Run with `pnpm bench`. Candidates are measured in interleaved rounds
// inside one process and compared as ratios of medians: absolute times on a shared machine
// mean little.
import { do_not_optimize, measure } from 'mitata';
import { ResponseEventBuilder, ResponseWriter } from '../src/index.ts';

const ROUNDS = 7;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;

async function timeOf(fn: () => unknown): Promise<number> {
  const stats = await measure(fn, { min_cpu_time: 100 * 1e6 });
  return stats.p50;
}

// Inputs vary per call so no candidate can be folded into a constant.
const deltas = Array.from({ length: 256 }, (_, i) => `token ${i} `);
const eventIds = Array.from({ length: 256 }, (_, i) => `event_C9G5VqL1t27xlnwZ9n${i}`);
let n = 0;
const next = () => (n = (n + 1) & 255);

const responseId = 'resp_C9G5V5sI3hsAjlE06cHbC';
const itemId = 'item_C9G5VlTwgDPt8u1eS4gFm';
const content = new ResponseEventBuilder(responseId).forItem(itemId, 0).forContent(0);

/** The builder's method as it was before it checked its arguments: what the checks cost. */
class UncheckedContent {
  readonly responseId = responseId;
  readonly itemId = itemId;
  readonly outputIndex = 0;
  readonly contentIndex = 0;
  outputTextDelta(eventId: string, delta: string) {
    return {
      type: 'response.output_text.delta',
      event_id: eventId,
      response_id: this.responseId,
      item_id: this.itemId,
      output_index: this.outputIndex,
      content_index: this.contentIndex,
      delta,
    };
  }
}
const unchecked = new UncheckedContent();

let sink: unknown;
const openMessage = () =>
  new ResponseWriter({
    responseId,
    emit: (event) => {
      sink = event;
    },
    eventIds: () => eventIds[n] as string,
  }).message({ itemId, modality: 'text' });
let message = openMessage();

const candidates = {
  'object literal by hand': () => {
    const i = next();
    return {
      type: 'response.output_text.delta',
      event_id: eventIds[i],
      response_id: responseId,
      item_id: itemId,
      output_index: 0,
      content_index: 0,
      delta: deltas[i],
    };
  },
  'reused ContentEventBuilder': () => {
    const i = next();
    return content.outputTextDelta(eventIds[i] as string, deltas[i] as string);
  },
  'the same, without the checks': () => {
    const i = next();
    return unchecked.outputTextDelta(eventIds[i] as string, deltas[i] as string);
  },
  'context built per event': () => {
    const i = next();
    return new ResponseEventBuilder(responseId)
      .forItem(itemId, 0)
      .forContent(0)
      .outputTextDelta(eventIds[i] as string, deltas[i] as string);
  },
  'ResponseWriter message.text': () => {
    // The writer accumulates the text; start a new one now and then so memory stays flat.
    if (next() === 0) message = openMessage();
    message.text(deltas[n] as string);
    return sink;
  },
} as const;

console.log(
  `build a text delta, median of ${ROUNDS} interleaved rounds (node ${process.version})\n`,
);
const times = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of Object.entries(candidates)) {
    const t = await timeOf(() => do_not_optimize(fn()));
    times.set(name, [...(times.get(name) ?? []), t]);
  }
}
const literal = median(times.get('object literal by hand') ?? []);
console.log('candidate                      time       vs literal');
for (const [name, values] of times) {
  const t = median(values);
  console.log(
    `${name.padEnd(30)} ${`${t.toFixed(1)} ns`.padStart(9)}   ${`${(t / literal).toFixed(2)}×`.padStart(8)}`,
  );
}
const checked = median(times.get('reused ContentEventBuilder') ?? []);
const bare = median(times.get('the same, without the checks') ?? []);
console.log(
  `\nargument checks: ${(checked - bare).toFixed(1)} ns a call (${(checked / bare).toFixed(2)}× the unchecked twin)`,
);
console.log('goal: reused ContentEventBuilder within 1.2× of the literal');
