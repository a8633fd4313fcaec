/**
 * `pnpm bench`: CPU per streamed response through the engine against a twin that builds the
 * same events as objects (the builders' ResponseWriter, the order the engine keeps) and sends
 * `Buffer.from(JSON.stringify(event))`, with audio through a base64 string. In-process: frames
 * go to a counting sink, no socket. Rounds are interleaved and medians compared as ratios in
 * one run, since this machine is shared and noisy.
 *
 * Cases: a 10 s audio response (PCM16 24 kHz in 100 ms chunks, 4,800 bytes each) with its
 * transcript, and a long text response (2,000 deltas). "Sessions per core" is how many
 * real-time audio sessions one core could stream: 1 / (CPU seconds per audio second).
 * `pnpm bench` builds the package first and measures `dist/`.
 */
import { ClientEvents, ResponseWriter } from '@rtwire/builders';
import type { RealtimeModel } from '../src/index.ts';

// The built package, as users run it: the engine's source loaded through tsx carries the
// transpiler's helpers (a `__name` call per closure), which cost ~5% of a short response.
const built = new URL('../dist/index.js', import.meta.url).href;
const { createRealtimeSession } = (await import(built)) as typeof import('../src/index.ts');

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const RESPONSES_PER_ROUND = Number(process.env.RESPONSES ?? 20);
const AUDIO_CHUNKS = 100;
const CHUNK_BYTES = 4800;
const TEXT_DELTAS = 2000;

const pcm = Array.from({ length: AUDIO_CHUNKS }, (_, chunk) => {
  const bytes = new Uint8Array(CHUNK_BYTES);
  const view = new DataView(bytes.buffer);
  for (let offset = 0; offset < CHUNK_BYTES; offset += 2) {
    view.setInt16(offset, Math.round(3000 * Math.sin((chunk * CHUNK_BYTES + offset) / 40)), true);
  }
  return bytes;
});
const words = Array.from({ length: TEXT_DELTAS }, (_, index) => `word${index % 97} `);
const transcriptEvery = 2;

/** Writes a whole response synchronously: the model side costs the same on both paths. */
const audioModel: RealtimeModel = {
  respond(_request, output) {
    for (let chunk = 0; chunk < AUDIO_CHUNKS; chunk++) {
      if (chunk % transcriptEvery === 0) output.text(words[chunk] as string);
      output.audio(pcm[chunk] as Uint8Array);
    }
  },
};
const textModel: RealtimeModel = {
  respond(_request, output) {
    for (const word of words) output.text(word);
  },
};

const DONE = new TextEncoder().encode('{"type":"response.done"');
function isDone(frame: Uint8Array): boolean {
  if (frame.length < DONE.length) return false;
  for (let index = 0; index < DONE.length; index++) if (frame[index] !== DONE[index]) return false;
  return true;
}

let sinkBytes = 0;

/** Runs `count` responses on one engine session; resolves when the last one is done. */
async function engineResponses(model: RealtimeModel, modality: 'audio' | 'text', count: number) {
  let done = 0;
  let wake: () => void = () => {};
  const session = createRealtimeSession({
    model,
    send: (frame) => {
      sinkBytes += frame.length;
      if (isDone(frame)) {
        done++;
        wake();
      }
    },
  });
  await Promise.resolve();
  session.receive(
    JSON.stringify(
      ClientEvents.sessionUpdate(undefined, { type: 'realtime', output_modalities: [modality] }),
    ),
  );
  const create = JSON.stringify(ClientEvents.responseCreate());
  for (let index = 0; index < count; index++) {
    const finished = new Promise<void>((resolve) => {
      wake = resolve;
    });
    session.receive(create);
    await finished;
  }
  session.close();
  return done;
}

/**
 * The same responses built as objects and sent as `Buffer.from(JSON.stringify(event))`, with
 * what the engine does around the encoding done the plain way too: the client's frame read
 * with `JSON.parse`, the finished items kept as the conversation.
 */
async function twinResponses(modality: 'audio' | 'text', count: number) {
  const send = (frame: Uint8Array) => {
    sinkBytes += frame.length;
    isDone(frame);
  };
  const conversation: unknown[] = [];
  const create = JSON.stringify(ClientEvents.responseCreate());
  for (let index = 0; index < count; index++) {
    const request = JSON.parse(create) as { type: string };
    if (request.type !== 'response.create') throw new Error('twin: unexpected client event');
    const writer = new ResponseWriter({
      responseId: `resp_${index}`,
      emit: (event) => {
        if (event.type === 'conversation.item.done') conversation.push(event.item);
        send(Buffer.from(JSON.stringify(event)));
      },
      conversationId: 'conv_1',
      outputModalities: [modality],
    });
    writer.start();
    const message = writer.message({ itemId: `item_${index}`, modality });
    if (modality === 'audio') {
      for (let chunk = 0; chunk < AUDIO_CHUNKS; chunk++) {
        if (chunk % transcriptEvery === 0) message.transcript(words[chunk] as string);
        message.audio(Buffer.from(pcm[chunk] as Uint8Array).toString('base64'));
      }
    } else {
      for (const word of words) message.text(word);
    }
    message.done();
    writer.done({ usage: null });
    await Promise.resolve();
  }
}

/** CPU microseconds a run took, user plus system. */
async function cpuOf(run: () => Promise<unknown>): Promise<number> {
  const before = process.cpuUsage();
  await run();
  const spent = process.cpuUsage(before);
  return spent.user + spent.system;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

const samples = {
  engineAudio: [] as number[],
  twinAudio: [] as number[],
  engineText: [] as number[],
  twinText: [] as number[],
};
// Warm-up: both paths compiled before anything is counted.
await engineResponses(audioModel, 'audio', 5);
await twinResponses('audio', 5);
await engineResponses(textModel, 'text', 2);
await twinResponses('text', 2);
for (let round = 0; round < ROUNDS; round++) {
  samples.engineAudio.push(
    await cpuOf(() => engineResponses(audioModel, 'audio', RESPONSES_PER_ROUND)),
  );
  samples.twinAudio.push(await cpuOf(() => twinResponses('audio', RESPONSES_PER_ROUND)));
  samples.engineText.push(
    await cpuOf(() => engineResponses(textModel, 'text', RESPONSES_PER_ROUND)),
  );
  samples.twinText.push(await cpuOf(() => twinResponses('text', RESPONSES_PER_ROUND)));
}

const audioSeconds = (AUDIO_CHUNKS * 100) / 1000;
const perAudioSecond = (micros: number) => micros / RESPONSES_PER_ROUND / audioSeconds;
const engineAudio = perAudioSecond(median(samples.engineAudio));
const twinAudio = perAudioSecond(median(samples.twinAudio));
const engineText = median(samples.engineText) / RESPONSES_PER_ROUND;
const twinText = median(samples.twinText) / RESPONSES_PER_ROUND;
const audioRatio = twinAudio / engineAudio;
const textRatio = twinText / engineText;
const sessionsPerCore = 1_000_000 / engineAudio;

const rows = [
  [
    'audio, CPU per streamed second',
    `${engineAudio.toFixed(1)} µs`,
    `${twinAudio.toFixed(1)} µs`,
    `${audioRatio.toFixed(2)}×`,
    '≥ 5×',
    audioRatio >= 5,
  ],
  [
    'text (2,000 deltas), CPU per response',
    `${(engineText / 1000).toFixed(2)} ms`,
    `${(twinText / 1000).toFixed(2)} ms`,
    `${textRatio.toFixed(2)}×`,
    '≥ 3×',
    textRatio >= 3,
  ],
  [
    'real-time audio sessions per core',
    `${Math.floor(sessionsPerCore)}`,
    `${Math.floor(1_000_000 / twinAudio)}`,
    '',
    '≥ 2,000',
    sessionsPerCore >= 2000,
  ],
] as const;
console.log(
  `engine bench: ${ROUNDS} interleaved rounds of ${RESPONSES_PER_ROUND} responses, medians (Node ${process.version})`,
);
console.log('| case | engine | JSON.stringify twin | twin / engine | goal | met |');
console.log('| --- | ---: | ---: | ---: | --- | --- |');
for (const [name, engine, twin, ratio, goal, met] of rows) {
  console.log(`| ${name} | ${engine} | ${twin} | ${ratio} | ${goal} | ${met ? '✓' : '✗'} |`);
}
console.log(`(${(sinkBytes / 1024 / 1024).toFixed(0)} MiB of frames encoded in all)`);
