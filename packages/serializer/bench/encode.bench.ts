/**
 * `pnpm bench`: the encoder against JSON.stringify, Buffer.from(JSON.stringify) and
 * fast-json-stringify on the same payloads, in one process, in interleaved rounds (medians of
 * the per-round medians). Strings are flattened (last character read) so a lazy rope cannot
 * look fast. The memcpy floor copies the finished frame into a buffer: the limit.
 */
import fastJson from 'fast-json-stringify';
import { do_not_optimize, measure } from 'mitata';
import {
  encoderFor,
  encodeServerEvent,
  encodeServerEventBytes,
  encodeServerEventInto,
} from '../src/index.ts';
import {
  audioDelta,
  context,
  deltaEvent,
  eventId,
  pcm,
  responseDone,
  textDelta,
} from './payloads.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const encoder = encoderFor(context);
const reused = new Uint8Array(64 * 1024);

function flat(text: string): number {
  return text.charCodeAt(text.length - 1);
}

const deltaSchema: Parameters<typeof fastJson>[0] = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    event_id: { type: 'string' },
    response_id: { type: 'string' },
    item_id: { type: 'string' },
    output_index: { type: 'integer' },
    content_index: { type: 'integer' },
    delta: { type: 'string' },
  },
  // In property order: fast-json-stringify writes required keys first.
  required: [
    'type',
    'event_id',
    'response_id',
    'item_id',
    'output_index',
    'content_index',
    'delta',
  ],
};
const fastDelta = fastJson(deltaSchema);

function memcpyFloor(frame: Uint8Array): () => unknown {
  const target = new Uint8Array(frame.length + 64);
  return () => {
    target.set(frame, 8);
    return target;
  };
}

interface Candidate {
  name: string;
  fn: () => unknown;
  /** The baseline this candidate is compared with, and the goal (a speed-up factor), if any. */
  goal?: { against: string; factor?: number };
}

interface Scenario {
  name: string;
  candidates: Candidate[];
}

const text = deltaEvent('response.output_text.delta', textDelta);
const audio = deltaEvent('response.output_audio.delta', audioDelta);
const done = responseDone();

const scenarios: Scenario[] = [
  {
    name: `text delta (${textDelta.length} chars)`,
    candidates: [
      { name: 'Buffer.from(JSON.stringify)', fn: () => Buffer.from(JSON.stringify(text)) },
      { name: 'JSON.stringify', fn: () => flat(JSON.stringify(text)) },
      { name: 'fast-json-stringify', fn: () => flat(fastDelta(text)) },
      {
        name: 'outputTextDelta',
        fn: () => flat(encoder.outputTextDelta(eventId, textDelta)),
        goal: { against: 'JSON.stringify', factor: 2.5 },
      },
      {
        name: 'outputTextDelta vs fjs',
        fn: () => flat(encoder.outputTextDelta(eventId, textDelta)),
        goal: { against: 'fast-json-stringify', factor: 1.8 },
      },
      {
        name: 'outputTextDeltaBytes',
        fn: () => encoder.outputTextDeltaBytes(eventId, textDelta),
        goal: { against: 'Buffer.from(JSON.stringify)', factor: 5 },
      },
      {
        name: 'outputTextDeltaInto (reused buffer)',
        fn: () => encoder.outputTextDeltaInto(eventId, textDelta, reused, 0),
        goal: { against: 'Buffer.from(JSON.stringify)' },
      },
      { name: 'memcpy floor', fn: memcpyFloor(encoder.outputTextDeltaBytes(eventId, textDelta)) },
    ],
  },
  {
    name: `audio delta (${audioDelta.length} base64 chars)`,
    candidates: [
      { name: 'Buffer.from(JSON.stringify)', fn: () => Buffer.from(JSON.stringify(audio)) },
      { name: 'JSON.stringify', fn: () => flat(JSON.stringify(audio)) },
      { name: 'fast-json-stringify', fn: () => flat(fastDelta(audio)) },
      {
        name: 'outputAudioDelta',
        fn: () => flat(encoder.outputAudioDelta(eventId, audioDelta)),
        goal: { against: 'JSON.stringify', factor: 1 },
      },
      {
        name: 'outputAudioDeltaBytes',
        fn: () => encoder.outputAudioDeltaBytes(eventId, audioDelta),
        goal: { against: 'Buffer.from(JSON.stringify)', factor: 15 },
      },
      {
        name: 'encodeServerEventBytes',
        fn: () => encodeServerEventBytes(audio),
        goal: { against: 'Buffer.from(JSON.stringify)', factor: 1 },
      },
      {
        name: 'encodeServerEventInto (caller buffer)',
        fn: () => encodeServerEventInto(audio, reused, 0),
        goal: { against: 'Buffer.from(JSON.stringify)', factor: 1 },
      },
      {
        name: 'outputAudioDeltaInto (reused buffer)',
        fn: () => encoder.outputAudioDeltaInto(eventId, audioDelta, reused, 0),
        goal: { against: 'Buffer.from(JSON.stringify)' },
      },
      { name: 'memcpy floor', fn: memcpyFloor(encoder.outputAudioDeltaBytes(eventId, audioDelta)) },
    ],
  },
  {
    name: `audio from PCM (${pcm.length} bytes)`,
    candidates: [
      {
        name: 'naive: base64 → object → JSON → bytes',
        fn: () =>
          Buffer.from(
            JSON.stringify(
              deltaEvent('response.output_audio.delta', Buffer.from(pcm).toString('base64')),
            ),
          ),
      },
      {
        name: 'outputAudioDeltaFromPcm',
        fn: () => encoder.outputAudioDeltaFromPcm(eventId, pcm),
        goal: { against: 'naive: base64 → object → JSON → bytes', factor: 15 },
      },
      {
        name: 'outputAudioDeltaFromPcmInto (reused buffer)',
        fn: () => encoder.outputAudioDeltaFromPcmInto(eventId, pcm, reused, 0),
        goal: { against: 'naive: base64 → object → JSON → bytes' },
      },
      { name: 'memcpy floor', fn: memcpyFloor(encoder.outputAudioDeltaFromPcm(eventId, pcm)) },
    ],
  },
  {
    name: `response.done with usage (${JSON.stringify(done).length} bytes)`,
    candidates: [
      { name: 'JSON.stringify', fn: () => flat(JSON.stringify(done)) },
      { name: 'Buffer.from(JSON.stringify)', fn: () => Buffer.from(JSON.stringify(done)) },
      {
        name: 'encodeServerEvent',
        fn: () => flat(encodeServerEvent(done as never)),
        goal: { against: 'JSON.stringify', factor: 1 },
      },
      {
        name: 'encodeServerEventBytes',
        fn: () => encodeServerEventBytes(done as never),
        goal: { against: 'JSON.stringify', factor: 1.3 },
      },
      {
        name: 'encodeServerEventBytes vs bytes',
        fn: () => encodeServerEventBytes(done as never),
        goal: { against: 'Buffer.from(JSON.stringify)', factor: 1.3 },
      },
      { name: 'memcpy floor', fn: memcpyFloor(encodeServerEventBytes(done as never)) },
    ],
  },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function formatTime(ns: number): string {
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
}

const rows: string[] = [
  `Node ${process.version}, ${ROUNDS} interleaved rounds, median of mitata p50s`,
  '',
  '| payload | encoder | time | speed-up | goal | memcpy floor |',
  '| --- | --- | ---: | ---: | --- | ---: |',
];
let failed = 0;

// ONLY=audio runs the scenarios whose name contains "audio".
const only = process.env.ONLY;

for (const scenario of scenarios) {
  if (only !== undefined && !scenario.name.includes(only)) continue;
  const samples = new Map<string, number[]>(scenario.candidates.map((c) => [c.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const candidate of scenario.candidates) {
      const stats = await measure(() => do_not_optimize(candidate.fn()), {
        min_cpu_time: 40e6,
      });
      samples.get(candidate.name)!.push(stats.p50);
    }
  }
  const time = (name: string) => median(samples.get(name)!);
  const floor = time('memcpy floor');
  for (const candidate of scenario.candidates) {
    if (candidate.name === 'memcpy floor') continue;
    const ns = time(candidate.name);
    let speedUp = '';
    let goal = '';
    if (candidate.goal) {
      const ratio = time(candidate.goal.against) / ns;
      speedUp = `${ratio.toFixed(2)}× vs ${candidate.goal.against}`;
      const factor = candidate.goal.factor;
      if (factor !== undefined) {
        const met = ratio >= factor;
        if (!met) failed++;
        goal = `≥ ${factor}× ${met ? '✓' : '✗'}`;
      }
    }
    rows.push(
      `| ${scenario.name} | ${candidate.name} | ${formatTime(ns)} | ${speedUp} | ${goal} | ${formatTime(floor)} |`,
    );
  }
}

console.log(rows.join('\n'));
console.log(failed === 0 ? '\nAll goals met.' : `\n${failed} goal(s) not met on this run.`);
