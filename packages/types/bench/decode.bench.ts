// Decode cost relative to bare JSON.parse, for the frames a realtime client sees most.
// Run with `pnpm bench`. Candidates are measured in interleaved rounds inside one process and
// compared as ratios of medians, because absolute times on a shared machine mean little.
import { do_not_optimize, measure } from 'mitata';
import { clientEventProblem, decodeServerEvent, exceedsNesting } from '../src/index.ts';

const textDelta = JSON.stringify({
  type: 'response.output_text.delta',
  event_id: 'event_C9G5VqL1t27xlnwZ9nHyr',
  response_id: 'resp_C9G5V5sI3hsAjlE06cHbC',
  item_id: 'item_C9G5VlTwgDPt8u1eS4gFm',
  output_index: 0,
  content_index: 0,
  delta: 'Sure, I can help with that.',
  obfuscation: 'a1b2c3d4e5f6',
});

const audioDelta = JSON.stringify({
  type: 'response.output_audio.delta',
  event_id: 'event_C9G5TcLwpk0kS3E1Rlmb2',
  response_id: 'resp_C9G5T5eOHOUm4jrfB4I6s',
  item_id: 'item_C9G5TfORybVs4WvJnyF7a',
  output_index: 0,
  content_index: 0,
  delta: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v'.repeat(100),
});

const responseDone = JSON.stringify({
  type: 'response.done',
  event_id: 'event_C9G5UAB2wYhUFrHqyd05R',
  response: {
    object: 'realtime.response',
    id: 'resp_C9G5T5eOHOUm4jrfB4I6s',
    status: 'completed',
    status_details: null,
    output: [
      {
        id: 'item_C9G5TfORybVs4WvJnyF7a',
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [
          { type: 'output_audio', transcript: 'Loud and clear! How can I help you today?' },
        ],
      },
    ],
    conversation_id: 'conv_C9G5QGgiAfFykU8yLrD5e',
    output_modalities: ['audio'],
    max_output_tokens: 'inf',
    audio: { output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'marin' } },
    usage: {
      total_tokens: 253,
      input_tokens: 132,
      output_tokens: 121,
      input_token_details: {
        text_tokens: 119,
        audio_tokens: 13,
        image_tokens: 0,
        cached_tokens: 64,
        cached_tokens_details: { text_tokens: 64, audio_tokens: 0, image_tokens: 0 },
      },
      output_token_details: { text_tokens: 30, audio_tokens: 91 },
    },
    metadata: null,
  },
});

const ROUNDS = 7;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

async function timeOf(fn: () => unknown): Promise<number> {
  const stats = await measure(fn, { min_cpu_time: 100 * 1e6 });
  return stats.p50;
}

const payloads = [
  ['text delta', textDelta],
  ['audio delta (6,400 b64)', audioDelta],
  ['response.done + usage', responseDone],
] as const;

console.log(
  `decode vs JSON.parse, median of ${ROUNDS} interleaved rounds (node ${process.version})\n`,
);
console.log(
  'payload                    JSON.parse   decode(str)  overhead (median of round ratios)',
);
for (const [label, frame] of payloads) {
  const parse: number[] = [];
  const decode: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    parse.push(await timeOf(() => do_not_optimize(JSON.parse(frame))));
    decode.push(await timeOf(() => do_not_optimize(decodeServerEvent(frame))));
    // The ratio within a round: both sides saw the same load, so drift between rounds cancels.
    ratios.push(decode[round]! / parse[round]!);
  }
  const p = median(parse);
  const d = median(decode);
  const overhead = `${((median(ratios) - 1) * 100).toFixed(1)}%`;
  console.log(
    `${label.padEnd(26)} ${`${p.toFixed(0)} ns`.padStart(10)}   ${`${d.toFixed(0)} ns`.padStart(10)}  ${overhead.padStart(8)}`,
  );
}
console.log('\ngoal: validation adds at most 30% over JSON.parse on deltas');

// The nesting bound is part of decode(str) above; its own share, on the parsed frame.
console.log('\npayload                    nesting check as a share of JSON.parse');
for (const [label, frame] of payloads) {
  const parsed = JSON.parse(frame);
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const parse = await timeOf(() => do_not_optimize(JSON.parse(frame)));
    const walk = await timeOf(() => do_not_optimize(exceedsNesting(parsed)));
    ratios.push(walk / parse);
  }
  console.log(`${label.padEnd(26)} ${`${(median(ratios) * 100).toFixed(1)}%`.padStart(8)}`);
}

// A client appends input audio every 20–100 ms: the parameter check on it, as a share of the
// JSON.parse it follows.
const append = JSON.stringify({
  type: 'input_audio_buffer.append',
  event_id: 'event_C9G5VqL1t27xlnwZ9nHyr',
  audio: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v'.repeat(50),
});
const appendEvent = JSON.parse(append);
const appendRatios: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const parse = await timeOf(() => do_not_optimize(JSON.parse(append)));
  const check = await timeOf(() => do_not_optimize(clientEventProblem(appendEvent)));
  appendRatios.push(check / parse);
}
console.log(
  `\ninput_audio_buffer.append: clientEventProblem is ${(median(appendRatios) * 100).toFixed(1)}% of JSON.parse`,
);
